#!/usr/bin/env python3
"""Medians and ratios for bench/run-go-load: reads <dir>/results.tsv (one row per server, round and window, written by
go-load) and <dir>/machine.txt; prints summary.md. With --headlines after <dir> it prints the run's headline figures
instead, one `metric<TAB>herald<TAB>seed` line each, for dev.herald.bench.Headlines (bench/results/headlines.csv).
Every ratio is Herald ÷ seed: above 1 is better for throughput, below 1 is better for latency."""
import csv, os, statistics, sys

d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, 'results.tsv')), delimiter='\t'))
HERALD, SEED = 'herald', 'go'
labels = [l for l in (HERALD, SEED) if any(r['label'] == l for r in rows)] + \
         sorted({r['label'] for r in rows} - {HERALD, SEED})
windows = []
for r in rows:
    if (r['mode'], r['loop'], r['load']) not in windows:
        windows.append((r['mode'], r['loop'], r['load']))

def of(label, w):
    return [r for r in rows if r['label'] == label and (r['mode'], r['loop'], r['load']) == w]

def med(label, w, col):
    vals = [float(r[col]) for r in of(label, w) if r.get(col) not in ('', None)]
    return statistics.median(vals) if vals else None

def total(label, w, col):
    return sum(int(r[col]) for r in of(label, w) if r.get(col) not in ('', None))

def f(v, nd=1):
    return '–' if v is None else f"{v:,.{nd}f}"

def ratio(a, b):
    return '–' if a is None or b is None or b == 0 else f"{a / b:.2f}×"

def name(w):
    mode, loop, load = w
    req = 'GET /send' if mode == 'get' else 'POST /send form'
    return f"{req}, closed loop, {load} in flight" if loop == 'closed' else f"{req}, open loop, {float(load):,.0f}/s"

def headlines():
    lines = []
    for w in windows:
        mode, loop, load = w
        if med(HERALD, w, 'requests_per_s') is None or med(SEED, w, 'requests_per_s') is None:
            continue
        if loop == 'closed':
            figures = [(f"{mode} closed {load} requests/s", 'requests_per_s'),
                       (f"{mode} closed {load} receipts per server CPU-s", 'receipts_per_cpu_s')]
        else:
            figures = [(f"{mode} open {float(load):.0f}/s delivery p50 ms", 'delivery_p50_ms'),
                       (f"{mode} open {float(load):.0f}/s delivery p99 ms", 'delivery_p99_ms')]
        for metric, col in figures:
            lines.append(f"{metric} vs seed\t{med(HERALD, w, col)}\t{med(SEED, w, col)}")
    return lines

if '--headlines' in sys.argv[2:]:
    print("\n".join(headlines()))
    sys.exit(0)

out = [f"# Go load generator: Herald and the seed hub — {os.path.basename(d)}\n",
       "```\n" + open(os.path.join(d, 'machine.txt')).read().strip() + "\n```\n",
       "`herald` = Herald in dev mode, `persist=false`; `go` = the seed's hub (herald-bench/peers/seed-go). Medians over "
       "rounds. Requests/s and receipts/s count up to the window's end (the window and its last answers), as does the "
       "server's CPU (utime + stime of all its threads); `missing` = acknowledged (2xx) but never received by the "
       "client it was for, summed over rounds, after a drain. Answer latency: until the answer was read to EOF; "
       "delivery: until the client read the frame; both from the intended send time (the actual one in the closed "
       "loop). `of which JIT`: CPU seconds of the server's JIT compiler threads in the window (should be ~0: the "
       "warm-up goes on while they are busy). `valid` = rounds with no failed request, nothing missing, no duplicate and nothing misrouted. A generator above 85 % of "
       "its core limited the closed loop itself: the window measures the pair, not the server alone.\n",
       "## Windows\n",
       "| window | server | requests/s | receipts/s | **receipts per server CPU-s** | server CPU % | of which JIT (s) | "
       "answer p50 / p99 ms | delivery p50 / p90 / p99 / p99.9 ms | generator CPU % | others on server core % | missing | valid |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for w in windows:
    for l in labels:
        if not of(l, w):
            continue
        out.append(f"| {name(w)} | {l} | {f(med(l,w,'requests_per_s'),0)} | {f(med(l,w,'receipts_per_s'),0)} | "
                   f"**{f(med(l,w,'receipts_per_cpu_s'),0)}** | {f(med(l,w,'server_cpu_pct'))} | {f(med(l,w,'server_jit_cpu_s'),2)} | "
                   f"{f(med(l,w,'answer_p50_ms'),3)} / {f(med(l,w,'answer_p99_ms'),3)} | "
                   f"{f(med(l,w,'delivery_p50_ms'),3)} / {f(med(l,w,'delivery_p90_ms'),3)} / "
                   f"{f(med(l,w,'delivery_p99_ms'),3)} / {f(med(l,w,'delivery_p999_ms'),3)} | "
                   f"{f(med(l,w,'gen_cpu_pct'))} | {f(med(l,w,'server_core_others_pct'))} | {total(l,w,'missing')} | "
                   f"{sum(r['valid'] == 'true' for r in of(l, w))}/{len(of(l, w))} |")
out.append("")
if any(of(HERALD, w) and of(SEED, w) for w in windows):
    out += ["## Herald ÷ seed\n",
            "Throughput: above 1 = Herald ahead. Latency: below 1 = Herald faster.\n",
            "| window | requests/s | receipts/s | receipts per server CPU-s | delivery p50 | delivery p99 | delivery p99.9 |",
            "|---|---|---|---|---|---|---|"]
    for w in windows:
        if not (of(HERALD, w) and of(SEED, w)):
            continue
        out.append(f"| {name(w)} | " + " | ".join(ratio(med(HERALD, w, c), med(SEED, w, c)) for c in
                   ('requests_per_s', 'receipts_per_s', 'receipts_per_cpu_s', 'delivery_p50_ms', 'delivery_p99_ms',
                    'delivery_p999_ms')) + " |")
    out.append("")
print("\n".join(out))
