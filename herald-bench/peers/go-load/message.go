package main

import "time"

// A message is ASCII (letters, digits, '-': nothing to escape in a query or a form) of fixed layout, so that the
// receiving client can tell which window it belongs to, which request sent it, when it was meant to be sent and
// whom it was for, without a parser:
//
//	t SSSSSSSSSSSS - IIIIIIIIIIIIIIII - UUUUUUU - xxxx…
//	0 1          12  14            29  31    37  39
//
// t: the window's tag (base 36; 0 = warm-up and ramps, not reported), S: the sequence number of the request,
// I: its intended send time in ns since the generator started, U: the recipient's index (uid "u<U>"), then 'x' up
// to --message-bytes (100 by default, as dev.herald.bench.peers.LoadGenerator sends).
const (
	tagAt      = 0
	seqAt      = 1
	seqLen     = 12
	intendedAt = seqAt + seqLen + 1
	intendLen  = 16
	uidAt      = intendedAt + intendLen + 1
	uidLen     = 7
	headerLen  = uidAt + uidLen + 1
	maxTags    = 36
)

var epoch = time.Now()

// now is the monotonic time since the generator started, in ns: the clock of intended times and receipts.
func now() int64 {
	return int64(time.Since(epoch))
}

func encodeMessage(buf []byte, tag int, seq uint64, intended int64, uid int, size int) []byte {
	if size < headerLen {
		size = headerLen
	}
	buf = buf[:0]
	buf = append(buf, "0123456789abcdefghijklmnopqrstuvwxyz"[tag])
	buf = appendFixed(buf, seq, seqLen)
	buf = append(buf, '-')
	buf = appendFixed(buf, uint64(intended), intendLen)
	buf = append(buf, '-')
	buf = appendFixed(buf, uint64(uid), uidLen)
	buf = append(buf, '-')
	for len(buf) < size {
		buf = append(buf, 'x')
	}
	return buf
}

func appendFixed(buf []byte, v uint64, width int) []byte {
	start := len(buf)
	for i := 0; i < width; i++ {
		buf = append(buf, '0')
	}
	for i := len(buf) - 1; i >= start && v > 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return buf
}

type decoded struct {
	tag      int
	seq      uint64
	intended int64
	uid      int
}

// decodeMessage reads what encodeMessage wrote; ok is false for anything else (a stray frame).
func decodeMessage(m []byte) (d decoded, ok bool) {
	if len(m) < headerLen || m[seqAt+seqLen] != '-' || m[intendedAt+intendLen] != '-' || m[uidAt+uidLen] != '-' {
		return d, false
	}
	t := m[tagAt]
	switch {
	case t >= '0' && t <= '9':
		d.tag = int(t - '0')
	case t >= 'a' && t <= 'z':
		d.tag = int(t-'a') + 10
	default:
		return d, false
	}
	var okS, okI, okU bool
	d.seq, okS = parseFixed(m[seqAt : seqAt+seqLen])
	var intended, uid uint64
	intended, okI = parseFixed(m[intendedAt : intendedAt+intendLen])
	uid, okU = parseFixed(m[uidAt : uidAt+uidLen])
	d.intended, d.uid = int64(intended), int(uid)
	return d, okS && okI && okU
}

func parseFixed(b []byte) (uint64, bool) {
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}
