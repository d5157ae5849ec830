package main

import (
	"math/bits"
	"sync/atomic"
)

// Histogram is a log-linear bucket array of durations in nanoseconds, HdrHistogram's layout with 64 sub-buckets per
// power of two: every value is kept within 1/64 (1.6 %) of itself, from 1 ns to 2^63 ns, in 3,776 counters. Values
// are added with atomics (the WebSocket readers record concurrently); percentiles are read once the phase is over.
type Histogram struct {
	counts [bucketCount]uint64
	max    uint64
}

const (
	subBits     = 7 // values below 2^subBits are exact; above, 2^(subBits-1) sub-buckets per power of two
	subCount    = 1 << subBits
	halfCount   = subCount / 2
	bucketCount = subCount + (64-subBits)*halfCount
)

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1: v >> shift is in [halfCount, subCount)
	return subCount + (shift-1)*halfCount + int(v>>uint(shift)) - halfCount
}

// upperBound is the largest value bucket i holds: percentiles are reported at the top of their bucket (never flattering).
func upperBound(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	shift := uint((i-subCount)/halfCount + 1)
	sub := uint64((i-subCount)%halfCount + halfCount)
	return (sub+1)<<shift - 1
}

// Record adds one value (negative values, a clock read out of order, count as 0).
func (h *Histogram) Record(nanos int64) {
	if nanos < 0 {
		nanos = 0
	}
	v := uint64(nanos)
	atomic.AddUint64(&h.counts[bucketOf(v)], 1)
	for {
		m := atomic.LoadUint64(&h.max)
		if v <= m || atomic.CompareAndSwapUint64(&h.max, m, v) {
			return
		}
	}
}

// Count is the number of values recorded.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += atomic.LoadUint64(&h.counts[i])
	}
	return n
}

// Percentile is the value at or below which p % of the values fall (0 when empty; the exact maximum at 100).
func (h *Histogram) Percentile(p float64) int64 {
	total := h.Count()
	if total == 0 {
		return 0
	}
	if p >= 100 {
		return int64(atomic.LoadUint64(&h.max))
	}
	rank := uint64(p / 100 * float64(total))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i := range h.counts {
		seen += atomic.LoadUint64(&h.counts[i])
		if seen >= rank {
			b := upperBound(i)
			if m := atomic.LoadUint64(&h.max); b > m {
				b = m
			}
			return int64(b)
		}
	}
	return int64(atomic.LoadUint64(&h.max))
}
