package main

import (
	"testing"
	"time"
)

func TestMessageRoundTrip(t *testing.T) {
	m := encodeMessage(nil, 11, 123456789, 98765432101234, 1999, 100)
	if len(m) != 100 {
		t.Fatalf("length %d", len(m))
	}
	d, ok := decodeMessage(m)
	if !ok || d.tag != 11 || d.seq != 123456789 || d.intended != 98765432101234 || d.uid != 1999 {
		t.Fatalf("decoded %+v ok=%v from %s", d, ok, m)
	}
	if _, ok := decodeMessage([]byte(`{"id":"x"}`)); ok {
		t.Fatal("a stray frame decoded")
	}
}

func TestIntendedTimesAreRoundedUpToTheTick(t *testing.T) {
	// 5,000/s on a 1 ms tick: five requests per tick, all intended at its end; the first at the start
	for i, want := range []int64{0, 1e6, 1e6, 1e6, 1e6, 1e6, 2e6} {
		if got := intendedOffset(int64(i), 5000, time.Millisecond); got != want {
			t.Errorf("request %d: %d ns, want %d", i, got, want)
		}
	}
}
