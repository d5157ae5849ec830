#!/usr/bin/env python3
"""Medians and ratios for bench/run: reads <dir>/results.tsv (one row per server, run and window, written by
dev.herald.bench.peers.LoadGenerator) and <dir>/machine.txt; prints summary.md.
With --headlines after <dir> it prints the run's headline figures instead, one `metric<TAB>herald<TAB>peer` line
each (herald = the `herald` row, persist=false), for dev.herald.bench.Headlines (bench/results/headlines.csv).
Medians are over all runs; the 'valid' column says how many of them met the validity rules
(no failed publish, generator <= 85 % of its core). Rows of older runs (scenario 'rate' / 'saturation')
are read as the personal scenario."""
import csv, statistics, sys, os

d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, 'results.tsv')), delimiter='\t'))
for r in rows:
    if r['scenario'] in ('rate', 'saturation'):
        r['scenario'] = 'personal'
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

UNITS = {'personal': 'msg/s', 'broadcast': 'broadcasts/s', 'batch': 'msg/s'}

def window_name(sc, rate):
    return f"{rate} {UNITS.get(sc, '/s')}" if not rate.startswith('sat') else f"saturation ({rate[3:]} requests in flight)"

windows = []
for r in rows:
    if r['scenario'] != 'idle' and (r['scenario'], r['rate']) not in windows:
        windows.append((r['scenario'], r['rate']))

def headlines():
    h = 'herald' if 'herald' in labels else (heralds[0] if heralds else None)
    if h is None:
        return []
    def windows_of(sc):
        return [r for s2, r in windows if s2 == sc]
    figures = []  # (metric, scenario, rate, column)
    figures.append(('idle bytes per connection', 'idle', '', 'bytes_per_conn'))
    for rate in windows_of('personal'):
        if rate.startswith('sat'):
            figures.append(('personal saturation deliveries per server CPU-s', 'personal', rate, 'deliveries_per_cpu_s'))
    broadcast = [r for r in windows_of('broadcast') if not r.startswith('sat')]
    if broadcast:
        figures.append((f'broadcast {broadcast[0]}/s p99 ms', 'broadcast', broadcast[0], 'p99_ms'))
    lines = []
    for metric, sc, rate, col in figures:
        mine = med(h, sc, rate, col)
        if mine is None:
            continue
        others = [(p, med(p, sc, rate, col)) for p in peers if med(p, sc, rate, col) is not None]
        if not others:
            lines.append(f"{metric}\t{mine}")
        for p, theirs in others:
            lines.append(f"{metric} vs {p}\t{mine}\t{theirs}")
    for rate in windows_of('batch'):
        if rate.startswith('sat') and med(h, 'batch', rate, 'deliveries_per_s') is not None:
            lines.append(f"batch saturation deliveries/s\t{med(h, 'batch', rate, 'deliveries_per_s')}")
    return lines

if '--headlines' in sys.argv[2:]:
    print("\n".join(headlines()))
    sys.exit(0)

out = []
out.append(f"# Peer comparison — {os.path.basename(d)}\n")
out.append("```\n" + open(os.path.join(d, 'machine.txt')).read().strip() + "\n```\n")
out.append("`herald` = Herald with `persist=false` (fire-and-forget, like the peers); "
           "`herald-durable` = default `/send` (stored in SQLite before the answer). Medians over runs; "
           "`valid` = runs with no failed publish and generator ≤ 85 % of its core. Deliveries/s and deliveries per "
           "server CPU-second count the receipts up to the window's end (window + its HTTP answers); latency is from "
           "the intended send time to each receipt, including receipts in the 1.5 s drain after the window.\n")

out.append("## Idle connections\n")
out.append("| server | connections | RSS before (MB) | RSS connected (MB) | bytes per connection | connect time (s) |")
out.append("|---|---|---|---|---|---|")
for l in labels:
    out.append(f"| {l} | {f(med(l,'idle','','connections'),0)} | {f((med(l,'idle','','rss_base_kb') or 0)/1024)} | "
               f"{f((med(l,'idle','','rss_connected_kb') or 0)/1024)} | {f(med(l,'idle','','bytes_per_conn'),0)} | "
               f"{f(med(l,'idle','','connect_s'))} |")
out.append("")

TITLES = {'personal': 'Personal messages (one message per request)',
          'broadcast': 'Broadcast (one message to every connection; a delivery is one receipt)',
          'batch': 'Herald batch API (`POST /api/v1/messages/batch`, persist:false; rate in messages/s)'}
scenarios = [s for s in ['personal', 'broadcast', 'batch'] if any(w[0] == s for w in windows)] + \
            sorted({w[0] for w in windows} - set(TITLES))

for sc in scenarios:
    out.append(f"## {TITLES.get(sc, sc)}\n")
    out.append("| window | server | deliveries/s | **deliveries per server CPU-s** | server CPU % | p50 ms | p99 ms | p99.9 ms | max ms | generator CPU % | others on server core % | errors | disconnects | valid |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s2, rate in windows:
        if s2 != sc:
            continue
        for l in labels:
            if med(l, sc, rate, 'sent') is None:
                continue
            out.append(f"| {window_name(sc, rate)} | {l} | {f(med(l,sc,rate,'deliveries_per_s'),0)} | **{f(med(l,sc,rate,'deliveries_per_cpu_s'),0)}** | "
                       f"{f(med(l,sc,rate,'server_cpu_pct'))} | {f(med(l,sc,rate,'p50_ms'),3)} | {f(med(l,sc,rate,'p99_ms'),3)} | "
                       f"{f(med(l,sc,rate,'p999_ms'),3)} | {f(med(l,sc,rate,'max_ms'),1)} | {f(med(l,sc,rate,'gen_cpu_pct'))} | "
                       f"{f(med(l,sc,rate,'server_core_others_pct'))} | {f(med(l,sc,rate,'errors'),0)} | "
                       f"{f(med(l,sc,rate,'disconnects'),0)} | {valid(l,sc,rate)} |")
    out.append("")

out.append("## Herald as a ratio to each peer\n")
out.append("Throughput figures: Herald ÷ peer (> 1 = Herald better). Latency and memory: peer ÷ Herald "
           "(> 1 = Herald better, i.e. smaller). The batch scenario has no peer (none has a batch API): compare its "
           "rows with the peers' personal saturation rows above.\n")
out.append("| scenario | window | Herald row | vs | deliveries/s | deliveries per CPU-s | p50 | p99 | p99.9 | bytes per idle connection |")
out.append("|---|---|---|---|---|---|---|---|---|---|")
for h in heralds:
    for p in peers:
        mem = ratio(med(h,'idle','','bytes_per_conn'), med(p,'idle','','bytes_per_conn'), inverse=True)
        for sc, rate in windows:
            if med(h, sc, rate, 'sent') is None or med(p, sc, rate, 'sent') is None:
                continue
            out.append(f"| {sc} | {window_name(sc, rate)} | {h} | {p} | {ratio(med(h,sc,rate,'deliveries_per_s'), med(p,sc,rate,'deliveries_per_s'))} | "
                       f"{ratio(med(h,sc,rate,'deliveries_per_cpu_s'), med(p,sc,rate,'deliveries_per_cpu_s'))} | "
                       f"{ratio(med(h,sc,rate,'p50_ms'), med(p,sc,rate,'p50_ms'), inverse=True)} | "
                       f"{ratio(med(h,sc,rate,'p99_ms'), med(p,sc,rate,'p99_ms'), inverse=True)} | "
                       f"{ratio(med(h,sc,rate,'p999_ms'), med(p,sc,rate,'p999_ms'), inverse=True)} | {mem} |")
out.append("")
print("\n".join(out))
