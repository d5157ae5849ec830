#!/usr/bin/env python3
"""Medians and ratios for bench/run-peers: reads <dir>/results.tsv (one row per server, run and window,
written by dev.herald.bench.peers.LoadGenerator) and <dir>/machine.txt; prints summary.md.
Medians are over all runs; the 'valid' column says how many of them met the validity rules
(no failed publish, generator <= 85 % of its core)."""
import csv, statistics, sys, os

d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, 'results.tsv')), delimiter='\t'))
order = ['herald', 'herald-durable', 'go', 'node', 'spring']
labels = [l for l in order if any(r['label'] == l for r in rows)] + \
         sorted({r['label'] for r in rows} - set(order))
peers = [l for l in labels if not l.startswith('herald')]
heralds = [l for l in labels if l.startswith('herald')]

def med(label, scenario, rate, col):
    vals = [float(r[col]) for r in rows if r['label'] == label and r['scenario'] == scenario
            and r['rate'] == rate and r.get(col, '') not in ('', None)]
    return statistics.median(vals) if vals else None

def valid(label, scenario, rate):
    rs = [r for r in rows if r['label'] == label and r['scenario'] == scenario and r['rate'] == rate]
    return f"{sum(r['valid'] == 'true' for r in rs)}/{len(rs)}"

def f(v, nd=1):
    return '–' if v is None else (f"{v:,.{nd}f}" if nd else f"{v:,.0f}")

def ratio(a, b, inverse=False):
    if a is None or b is None or a == 0 or b == 0:
        return '–'
    return f"{(b / a if inverse else a / b):.2f}×"

out = []
out.append(f"# Peer comparison — {os.path.basename(d)}\n")
out.append("```\n" + open(os.path.join(d, 'machine.txt')).read().strip() + "\n```\n")
out.append("`herald` = Herald with `/send?…&persist=false` (fire-and-forget, like the peers); "
           "`herald-durable` = default `/send` (stored in SQLite before the answer). Medians over runs; "
           "`valid` = runs with no failed publish and generator ≤ 85 % of its core.\n")

out.append("## Idle connections\n")
out.append("| server | connections | RSS before (MB) | RSS connected (MB) | bytes per connection | connect time (s) |")
out.append("|---|---|---|---|---|---|")
for l in labels:
    out.append(f"| {l} | {f(med(l,'idle','','connections'),0)} | {f((med(l,'idle','','rss_base_kb') or 0)/1024)} | "
               f"{f((med(l,'idle','','rss_connected_kb') or 0)/1024)} | {f(med(l,'idle','','bytes_per_conn'),0)} | "
               f"{f(med(l,'idle','','connect_s'))} |")
out.append("")

windows = []
for r in rows:
    if r['scenario'] != 'idle' and (r['scenario'], r['rate']) not in windows:
        windows.append((r['scenario'], r['rate']))

out.append("## Personal messages (one message per request)\n")
out.append("| window | server | deliveries/s | **deliveries per server CPU-s** | server CPU % | p50 ms | p99 ms | p99.9 ms | max ms | generator CPU % | others on server core % | errors | valid |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for sc, rate in windows:
    name = f"{rate} msg/s" if sc == 'rate' else f"saturation ({rate[3:]} in flight)"
    for l in labels:
        if med(l, sc, rate, 'sent') is None:
            continue
        out.append(f"| {name} | {l} | {f(med(l,sc,rate,'deliveries_per_s'),0)} | **{f(med(l,sc,rate,'deliveries_per_cpu_s'),0)}** | "
                   f"{f(med(l,sc,rate,'server_cpu_pct'))} | {f(med(l,sc,rate,'p50_ms'),3)} | {f(med(l,sc,rate,'p99_ms'),3)} | "
                   f"{f(med(l,sc,rate,'p999_ms'),3)} | {f(med(l,sc,rate,'max_ms'),1)} | {f(med(l,sc,rate,'gen_cpu_pct'))} | "
                   f"{f(med(l,sc,rate,'server_core_others_pct'))} | {f(med(l,sc,rate,'errors'),0)} | {valid(l,sc,rate)} |")
out.append("")

out.append("## Herald as a ratio to each peer\n")
out.append("Throughput figures: Herald ÷ peer (> 1 = Herald better). Latency and memory: peer ÷ Herald "
           "(> 1 = Herald better, i.e. smaller).\n")
out.append("| window | Herald row | vs | deliveries/s | deliveries per CPU-s | p50 | p99 | p99.9 | bytes per idle connection |")
out.append("|---|---|---|---|---|---|---|---|---|")
for h in heralds:
    for p in peers:
        mem = ratio(med(h,'idle','','bytes_per_conn'), med(p,'idle','','bytes_per_conn'), inverse=True)
        for sc, rate in windows:
            name = f"{rate} msg/s" if sc == 'rate' else f"saturation ({rate[3:]})"
            out.append(f"| {name} | {h} | {p} | {ratio(med(h,sc,rate,'deliveries_per_s'), med(p,sc,rate,'deliveries_per_s'))} | "
                       f"{ratio(med(h,sc,rate,'deliveries_per_cpu_s'), med(p,sc,rate,'deliveries_per_cpu_s'))} | "
                       f"{ratio(med(h,sc,rate,'p50_ms'), med(p,sc,rate,'p50_ms'), inverse=True)} | "
                       f"{ratio(med(h,sc,rate,'p99_ms'), med(p,sc,rate,'p99_ms'), inverse=True)} | "
                       f"{ratio(med(h,sc,rate,'p999_ms'), med(p,sc,rate,'p999_ms'), inverse=True)} | {mem} |")
out.append("")
print("\n".join(out))
