package main

import "sync/atomic"

// Ledger checks that every acknowledged message arrived, once, at the client it was for. Each request has a
// sequence number; a bit per number records its first receipt (a second one is a duplicate), and per client the
// generator counts what the server acknowledged for it (a 2xx answer) and what the client received. Everything is
// atomic: HTTP workers and WebSocket readers update it concurrently.
type Ledger struct {
	seq       uint64   // the last sequence number given out
	seen      []uint32 // a bit per sequence number below len(seen)*32; later ones are not checked for duplicates
	expected  []int64  // per client: 2xx answers
	received  []int64  // per client: frames received
	perTag    [maxTags]tagCounts
	latency   [maxTags]Histogram // delivery: receipt - intended send time
	stray     int64              // frames that are not a generator's message
	misrouted int64              // messages received by a client they were not for
}

type tagCounts struct {
	ok         int64 // 2xx answers
	unique     int64 // first receipts
	duplicates int64
}

func newLedger(clients int, maxMessages uint64) *Ledger {
	return &Ledger{
		seen:     make([]uint32, (maxMessages+31)/32),
		expected: make([]int64, clients),
		received: make([]int64, clients),
	}
}

// NextSeq numbers a request: unique over the run (every mode and window).
func (l *Ledger) NextSeq() uint64 {
	return atomic.AddUint64(&l.seq, 1)
}

// Acknowledged records a 2xx answer for a message to client uid.
func (l *Ledger) Acknowledged(tag int, uid int) {
	atomic.AddInt64(&l.expected[uid], 1)
	atomic.AddInt64(&l.perTag[tag].ok, 1)
}

// Receipt records a frame received by client self at time at.
func (l *Ledger) Receipt(self int, frame []byte, at int64) {
	d, ok := decodeMessage(frame)
	if !ok || d.uid >= len(l.received) {
		atomic.AddInt64(&l.stray, 1)
		return
	}
	if d.uid != self {
		atomic.AddInt64(&l.misrouted, 1)
	}
	atomic.AddInt64(&l.received[self], 1)
	if l.firstReceipt(d.seq) {
		atomic.AddInt64(&l.perTag[d.tag].unique, 1)
	} else {
		atomic.AddInt64(&l.perTag[d.tag].duplicates, 1)
	}
	l.latency[d.tag].Record(at - d.intended)
}

func (l *Ledger) firstReceipt(seq uint64) bool {
	word := seq / 32
	if word >= uint64(len(l.seen)) {
		return true
	}
	bit := uint32(1) << (seq % 32)
	for {
		old := atomic.LoadUint32(&l.seen[word])
		if old&bit != 0 {
			return false
		}
		if atomic.CompareAndSwapUint32(&l.seen[word], old, old|bit) {
			return true
		}
	}
}

// Counts of one tag: 2xx answers, first receipts, duplicates.
func (l *Ledger) Counts(tag int) (ok, unique, duplicates int64) {
	c := &l.perTag[tag]
	return atomic.LoadInt64(&c.ok), atomic.LoadInt64(&c.unique), atomic.LoadInt64(&c.duplicates)
}

// ShortClients is how many clients received fewer messages than were acknowledged for them (whole run).
func (l *Ledger) ShortClients() (clients int, messages int64) {
	for i := range l.expected {
		if d := atomic.LoadInt64(&l.expected[i]) - atomic.LoadInt64(&l.received[i]); d > 0 {
			clients++
			messages += d
		}
	}
	return clients, messages
}
