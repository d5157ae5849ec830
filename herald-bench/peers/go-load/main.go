// go-load: a Go load generator of the independent harness's shape (issue 14), for the seed protocol. N WebSocket
// clients log in with the seed's {"uid":"u<i>"} frame and count every frame they receive; a net/http client with a
// keep-alive pool publishes to random connected uids with GET /send?uid=&message=[&persist=false] or the seed's
// POST /send form, in a closed loop (--concurrency in flight) and an open loop (--rate per second). Each window
// appends one tab-separated row to --out: requests/s, receipts/s, what was acknowledged but never arrived, answer
// and delivery latency percentiles, and the server's CPU seconds (/proc/<pid>/stat) over the same span.
// bench/run-go-load runs it against Herald and the seed hub; bench/README.md describes both.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

type config struct {
	addr, path, label, run, out, serverPid string
	modes                                  []string
	clients, parallel, concurrency, idle   int
	senders, size, serverCore              int
	rate                                   float64
	warmup, warmupMax, ramp, window        time.Duration
	drain, tick                            time.Duration
	persistFalse                           bool
	maxMessages                            uint64
}

func main() {
	var c config
	var modes string
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8181", "server address (host:port)")
	flag.StringVar(&c.path, "path", "/send", "publish path")
	flag.StringVar(&c.serverPid, "server-pid", "", "pid of the server under test (its CPU and RSS are read from /proc)")
	flag.IntVar(&c.serverCore, "server-core", 0, "the server's core (what else ran on it is reported)")
	flag.StringVar(&c.label, "label", "server", "server name in the results")
	flag.StringVar(&c.run, "run", "1", "round number in the results")
	flag.StringVar(&c.out, "out", "", "results file (tab-separated, appended; header when new)")
	flag.StringVar(&modes, "modes", "get,form", "publish requests, in order: get (GET /send?…) and/or form (POST /send, x-www-form-urlencoded)")
	flag.IntVar(&c.clients, "clients", 2000, "WebSocket clients (uids u0…)")
	flag.IntVar(&c.parallel, "connect-parallel", 200, "WebSocket handshakes in flight while connecting")
	flag.IntVar(&c.concurrency, "concurrency", 64, "closed loop: requests in flight, one keep-alive connection each (0: no closed-loop window)")
	flag.IntVar(&c.idle, "max-idle-per-host", -1, "idle connections net/http keeps (default: --concurrency; net/http's own default is 2)")
	flag.Float64Var(&c.rate, "rate", 5000, "open loop: requests per second (0: no open-loop window)")
	flag.IntVar(&c.senders, "senders", 64, "open loop: senders (and at most as many connections)")
	flag.IntVar(&c.size, "message-bytes", 100, "message size")
	flag.BoolVar(&c.persistFalse, "persist-false", true, "add persist=false to every request (Herald: not stored; the seed ignores it)")
	flag.DurationVar(&c.warmup, "warmup", 10*time.Second, "closed loop before each mode's windows, not reported (JIT, pools), at least")
	flag.DurationVar(&c.warmupMax, "warmup-max", 60*time.Second, "warm-up at most: it goes on while the server's JIT compiler threads are busy")
	flag.DurationVar(&c.ramp, "ramp", 2*time.Second, "unreported load before each window (at its own rate or concurrency)")
	flag.DurationVar(&c.window, "window", 10*time.Second, "measured window")
	flag.DurationVar(&c.tick, "tick", time.Millisecond, "open loop: scheduler period; intended send times are rounded up to it")
	flag.DurationVar(&c.drain, "drain", 1500*time.Millisecond, "wait after a window for late receipts before counting what is missing")
	flag.Uint64Var(&c.maxMessages, "max-messages", 1<<27, "messages checked for duplicates (a bit each)")
	flag.Parse()
	c.modes = strings.Split(modes, ",")
	for _, m := range c.modes {
		if m != "get" && m != "form" {
			fail("unknown mode %q (get, form)", m)
		}
	}
	if c.serverPid == "" || c.out == "" {
		fail("--server-pid and --out are required (go-load -h)")
	}
	if c.idle < 0 {
		c.idle = max(c.concurrency, c.senders)
	}
	if err := run(c); err != nil {
		fail("%v", err)
	}
}

func run(c config) error {
	ledger := newLedger(c.clients, c.maxMessages)
	t0 := time.Now()
	crowd, err := connectCrowd(c.addr, c.clients, c.parallel, ledger)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d/%d clients connected in %.1f s (GOMAXPROCS %d)\n", c.label, len(crowd.up), c.clients,
		time.Since(t0).Seconds(), runtime.GOMAXPROCS(0))
	defer crowd.Close()
	time.Sleep(time.Second) // the logins are read after the handshake: let them land before the first /send
	table := newTable(c.out)
	tag := 1
	for _, mode := range c.modes {
		p := newPublisher(c.addr, c.path, mode, c.persistFalse, c.size, max(c.concurrency, c.senders), c.idle, crowd.up, ledger)
		warmUp(c, p)
		if c.concurrency > 0 {
			if c.ramp > 0 {
				p.Closed(0, c.concurrency, c.ramp)
			}
			w := measure(c, p, crowd, ledger, mode, tag, func() { p.Closed(tag, c.concurrency, c.window) })
			w.loop, w.load = "closed", fmt.Sprint(c.concurrency)
			table.emit(w)
			tag++
		}
		if c.rate > 0 {
			if c.ramp > 0 {
				if err := p.Open(0, c.rate, c.senders, c.ramp, c.tick); err != nil {
					return err
				}
			}
			w := measure(c, p, crowd, ledger, mode, tag, func() {
				if err := p.Open(tag, c.rate, c.senders, c.window, c.tick); err != nil {
					fail("%v", err)
				}
			})
			w.loop, w.load = "open", fmt.Sprint(c.rate)
			table.emit(w)
			tag++
		}
		p.client.CloseIdleConnections()
	}
	return nil
}

// warmUp runs the closed loop, unreported, for --warmup, then on in steps while the server's JIT compiler threads
// used more than 2 % of the last step (the JVM is still compiling the path), up to --warmup-max. A JIT that
// compiles during a window competes with the event loop for the server's one core and counts in its CPU seconds.
func warmUp(c config, p *Publisher) {
	if c.warmup <= 0 {
		return
	}
	const step = 2 * time.Second
	inFlight := max(c.concurrency, 1)
	start := time.Now()
	p.Closed(0, inFlight, c.warmup)
	for time.Since(start) < c.warmupMax {
		jit0 := jitSeconds(c.serverPid)
		p.Closed(0, inFlight, step)
		jit := jitSeconds(c.serverPid) - jit0
		if jit0 < 0 || jit <= 0.02*step.Seconds() {
			break
		}
		fmt.Printf("%s: still compiling (%.2f s of JIT in the last %v), warming up on\n", c.label, jit, step)
	}
	fmt.Printf("%s: warmed up in %.1f s\n", c.label, time.Since(start).Seconds())
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-load: "+format+"\n", args...)
	os.Exit(2)
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
