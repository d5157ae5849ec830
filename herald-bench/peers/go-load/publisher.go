package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Publisher sends the seed's /send to random connected clients through one net/http client, the way a Go service
// would: a keep-alive pool of --concurrency connections, every answer read to EOF and closed (which returns its
// connection to the pool), no pipelining (net/http has none).
type Publisher struct {
	client       *http.Client
	url          string // http://addr/send
	form         bool   // POST application/x-www-form-urlencoded, or GET with a query
	persistFalse bool   // add persist=false (Herald: not stored; the seed ignores it)
	size         int
	uids         []int
	ledger       *Ledger

	answer  [maxTags]Histogram // answer read to EOF - intended send time (the actual send time in the closed loop)
	service [maxTags]Histogram // answer read to EOF - actual send time
	lag     [maxTags]Histogram // actual send - intended send time (open loop: the generator's own delay)
	sent    [maxTags]int64
	errors  [maxTags]int64
	skipped [maxTags]int64 // open loop: not sent, the backlog was full (counted as errors too)
	logged  int64
	dials   int64 // TCP connections opened by the pool
}

func newPublisher(addr, path, mode string, persistFalse bool, size, connections, idlePerHost int, uids []int, ledger *Ledger) *Publisher {
	p := &Publisher{}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		// counted: a pool that reconnects costs the server an accept (and a new pipeline) per connection
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			atomic.AddInt64(&p.dials, 1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        idlePerHost,
		MaxIdleConnsPerHost: idlePerHost, // net/http keeps 2 by default: more in flight would reconnect per request
		MaxConnsPerHost:     connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // no Accept-Encoding: gzip (neither server compresses these answers)
	}
	*p = Publisher{
		client:       &http.Client{Transport: transport, Timeout: 30 * time.Second},
		url:          "http://" + addr + path,
		form:         mode == "form",
		persistFalse: persistFalse,
		size:         size,
		uids:         uids,
		ledger:       ledger,
	}
	return p
}

// worker is one sender's state: its random source (math/rand's global one is locked) and message buffer.
type worker struct {
	rnd *rand.Rand
	buf []byte
}

func newWorker(seed int64) *worker {
	return &worker{rnd: rand.New(rand.NewSource(seed)), buf: make([]byte, 0, 256)}
}

// publish sends one message meant to leave at intended, waits for its answer and records it under tag.
func (p *Publisher) publish(w *worker, tag int, intended int64) {
	uid := p.uids[w.rnd.Intn(len(p.uids))]
	seq := p.ledger.NextSeq()
	w.buf = encodeMessage(w.buf, tag, seq, intended, uid, p.size)
	params := "uid=u" + strconv.Itoa(uid) + "&message=" + string(w.buf)
	if p.persistFalse {
		params += "&persist=false"
	}
	var req *http.Request
	var err error
	if p.form {
		req, err = http.NewRequest(http.MethodPost, p.url, strings.NewReader(params))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(http.MethodGet, p.url+"?"+params, nil)
	}
	if err != nil {
		panic(err) // the URL is ours
	}
	atomic.AddInt64(&p.sent[tag], 1)
	start := now()
	p.lag[tag].Record(start - intended)
	resp, err := p.client.Do(req)
	failure := ""
	if err != nil {
		failure = err.Error()
	} else {
		if resp.StatusCode/100 == 2 {
			_, err = io.Copy(io.Discard, resp.Body)
			if err != nil {
				failure = "reading the answer: " + err.Error()
			}
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
			_, _ = io.Copy(io.Discard, resp.Body)
			failure = "HTTP " + resp.Status + " " + string(body)
		}
		_ = resp.Body.Close()
	}
	end := now()
	p.answer[tag].Record(end - intended)
	p.service[tag].Record(end - start)
	if failure != "" {
		atomic.AddInt64(&p.errors[tag], 1)
		if atomic.AddInt64(&p.logged, 1) <= 3 {
			fmt.Fprintln(os.Stderr, "publish failed:", failure)
		}
		return
	}
	p.ledger.Acknowledged(tag, uid)
}

// Closed runs a closed loop of inFlight senders under tag for d, then waits for their last answers.
func (p *Publisher) Closed(tag, inFlight int, d time.Duration) {
	stop := int32(0)
	var wg sync.WaitGroup
	for i := 0; i < inFlight; i++ {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for atomic.LoadInt32(&stop) == 0 {
				p.publish(w, tag, now())
			}
		}(newWorker(time.Now().UnixNano() + int64(i)))
	}
	time.Sleep(d)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
}

// maxBacklog: open-loop sends waiting for a free sender beyond which further ones are skipped and counted as
// failed (the window is invalid), rather than queued without bound.
const maxBacklog = 10_000

// Open sends at rate per second under tag for d, with senders senders. Request i is due at start + i/rate rounded up
// to the scheduler's tick, and that tick is its intended time: every latency is charged from it, so a late tick, a
// full pool or a stalled server counts in full (no coordinated omission), while the tick's own granularity does not
// (as in dev.herald.bench.peers.LoadGenerator, whose tick is 1 ms). Then it waits for the last answers.
func (p *Publisher) Open(tag int, rate float64, senders int, d, tick time.Duration) error {
	jobs := make(chan int64, maxBacklog)
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for intended := range jobs {
				p.publish(w, tag, intended)
			}
		}(newWorker(time.Now().UnixNano() + int64(i)))
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	start := now() // before the ticker is armed: its k-th expiry is at or after start + k ticks
	ticker, err := newTicker(tick)
	if err != nil {
		return err
	}
	defer ticker.Close()
	for i := int64(0); ; {
		if _, err := ticker.Wait(); err != nil {
			return err
		}
		elapsed := now() - start
		for {
			offset := intendedOffset(i, rate, tick)
			if offset >= int64(d) {
				return nil
			}
			if offset > elapsed {
				break
			}
			select {
			case jobs <- start + offset:
			default:
				atomic.AddInt64(&p.sent[tag], 1)
				atomic.AddInt64(&p.errors[tag], 1)
				atomic.AddInt64(&p.skipped[tag], 1)
			}
			i++
		}
	}
}

// intendedOffset is request i's intended time after the start: i/rate, rounded up to the tick.
func intendedOffset(i int64, rate float64, tick time.Duration) int64 {
	exact := int64(math.Ceil(float64(i) * 1e9 / rate))
	t := int64(tick)
	return (exact + t - 1) / t * t
}
