package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// window is one measured window's row.
type window struct {
	mode, loop, load string
	values           map[string]string
}

// measure runs load (one window under tag, which returns once its last answer is in) and reads what it did.
// Requests/s, receipts/s and the server's CPU are over the same span: the window and its last answers. Receipts
// that come later, in the drain, only count for the missing check and the latency histogram, so a server that
// queues a backlog does not get its later work for free (as in dev.herald.bench.peers.LoadGenerator).
func measure(c config, p *Publisher, crowd *Crowd, ledger *Ledger, mode string, tag int, load func()) window {
	stray0, misrouted0, disc0 := atomic.LoadInt64(&ledger.stray), atomic.LoadInt64(&ledger.misrouted), crowd.Disconnects()
	dials0 := atomic.LoadInt64(&p.dials)
	srv0, gen0, core0 := cpuSeconds(c.serverPid), cpuSeconds("self"), coreBusySeconds(c.serverCore)
	jit0 := jitSeconds(c.serverPid)
	start := time.Now()
	load()
	elapsed := time.Since(start).Seconds()
	_, inWindow, _ := ledger.Counts(tag)
	srv, gen := cpuSeconds(c.serverPid)-srv0, cpuSeconds("self")-gen0
	jit := jitSeconds(c.serverPid) - jit0
	others := coreBusySeconds(c.serverCore) - core0 - srv
	if others < 0 {
		others = 0
	}
	rss := rssKb(c.serverPid)
	time.Sleep(c.drain)
	ok, unique, duplicates := ledger.Counts(tag)
	sent, errors, skipped := atomic.LoadInt64(&p.sent[tag]), atomic.LoadInt64(&p.errors[tag]), atomic.LoadInt64(&p.skipped[tag])
	missing, unacknowledged := ok-unique, unique-ok
	if missing < 0 {
		missing = 0
	}
	if unacknowledged < 0 {
		unacknowledged = 0
	}
	shortClients, _ := ledger.ShortClients()
	misrouted := atomic.LoadInt64(&ledger.misrouted) - misrouted0
	genPct := 100 * gen / elapsed
	v := map[string]string{
		"clients":                fmt.Sprint(len(crowd.up)),
		"window_s":               f1(elapsed),
		"requests":               fmt.Sprint(sent),
		"ok":                     fmt.Sprint(ok),
		"errors":                 fmt.Sprint(errors),
		"skipped":                fmt.Sprint(skipped),
		"requests_per_s":         f1(float64(ok) / elapsed),
		"receipts_in_window":     fmt.Sprint(inWindow),
		"receipts_per_s":         f1(float64(inWindow) / elapsed),
		"receipts":               fmt.Sprint(unique),
		"missing":                fmt.Sprint(missing),
		"unacknowledged":         fmt.Sprint(unacknowledged),
		"duplicates":             fmt.Sprint(duplicates),
		"short_clients":          fmt.Sprint(shortClients),
		"misrouted":              fmt.Sprint(misrouted),
		"stray":                  fmt.Sprint(atomic.LoadInt64(&ledger.stray) - stray0),
		"disconnects":            fmt.Sprint(crowd.Disconnects() - disc0),
		"connections_opened":     fmt.Sprint(atomic.LoadInt64(&p.dials) - dials0),
		"server_cpu_s":           f2(srv),
		"server_cpu_pct":         f1(100 * srv / elapsed),
		"server_jit_cpu_s":       f2(jit),
		"receipts_per_cpu_s":     "",
		"requests_per_cpu_s":     "",
		"gen_cpu_pct":            f1(genPct),
		"server_core_others_pct": f1(100 * others / elapsed),
		"rss_kb":                 fmt.Sprint(rss),
		"valid":                  fmt.Sprint(errors == 0 && missing == 0 && duplicates == 0 && misrouted == 0 && unique > 0),
	}
	if srv > 0 {
		v["receipts_per_cpu_s"] = f1(float64(inWindow) / srv)
		v["requests_per_cpu_s"] = f1(float64(ok) / srv)
	}
	percentiles(v, "answer", &p.answer[tag])
	percentiles(v, "delivery", &ledger.latency[tag])
	v["service_p50_ms"], v["service_p99_ms"] = ms(p.service[tag].Percentile(50)), ms(p.service[tag].Percentile(99))
	v["send_lag_p99_ms"] = ms(p.lag[tag].Percentile(99))
	return window{mode: mode, values: v}
}

func percentiles(v map[string]string, name string, h *Histogram) {
	for _, q := range []struct {
		col string
		p   float64
	}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}, {"max", 100}} {
		v[name+"_"+q.col+"_ms"] = ms(h.Percentile(q.p))
	}
}

var columns = []string{"label", "run", "mode", "loop", "load", "clients", "window_s", "requests", "ok", "errors", "skipped",
	"requests_per_s", "receipts_in_window", "receipts_per_s", "receipts", "missing", "unacknowledged", "duplicates",
	"short_clients", "misrouted", "stray", "disconnects", "connections_opened",
	"answer_p50_ms", "answer_p90_ms", "answer_p99_ms", "answer_p999_ms", "answer_max_ms",
	"delivery_p50_ms", "delivery_p90_ms", "delivery_p99_ms", "delivery_p999_ms", "delivery_max_ms",
	"service_p50_ms", "service_p99_ms", "send_lag_p99_ms",
	"server_cpu_s", "server_cpu_pct", "server_jit_cpu_s", "receipts_per_cpu_s", "requests_per_cpu_s", "gen_cpu_pct",
	"server_core_others_pct", "rss_kb", "valid"}

type table struct {
	path string
}

func newTable(path string) *table {
	return &table{path: path}
}

// emit appends w as one row (the header first when the file is new) and prints it.
func (t *table) emit(w window) {
	w.values["mode"], w.values["loop"], w.values["load"] = w.mode, w.loop, w.load
	w.values["label"], w.values["run"] = flag.Lookup("label").Value.String(), flag.Lookup("run").Value.String()
	var line strings.Builder
	if _, err := os.Stat(t.path); err != nil {
		line.WriteString(strings.Join(columns, "\t") + "\n")
	}
	for i, c := range columns {
		if i > 0 {
			line.WriteByte('\t')
		}
		line.WriteString(w.values[c])
	}
	line.WriteByte('\n')
	f, err := os.OpenFile(t.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(line.String()); err != nil {
		fail("%v", err)
	}
	v := w.values
	fmt.Printf("%s %s %s %s: %s req/s, %s receipts/s (%s missing, %s dup), answer p50 %s p99 %s ms, delivery p50 %s p99 %s p99.9 %s ms, server CPU %s %%, %s receipts/CPU-s, generator %s %%, valid %s\n",
		v["label"], w.mode, w.loop, w.load, v["requests_per_s"], v["receipts_per_s"], v["missing"], v["duplicates"],
		v["answer_p50_ms"], v["answer_p99_ms"], v["delivery_p50_ms"], v["delivery_p99_ms"], v["delivery_p999_ms"],
		v["server_cpu_pct"], v["receipts_per_cpu_s"], v["gen_cpu_pct"], v["valid"])
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
func f2(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
func ms(nanos int64) string {
	return strconv.FormatFloat(float64(nanos)/1e6, 'f', 3, 64)
}
