package main

import "testing"

func TestBucketsCoverEveryValueWithinOneSixtyFourth(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 129, 1000, 123456, 1 << 40, 1<<63 + 12345} {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("value %d: bucket %d out of range", v, i)
		}
		top := upperBound(i)
		if top < v || float64(top-v) > float64(v)/64+1 {
			t.Fatalf("value %d: bucket %d tops at %d", v, i, top)
		}
		if i > 0 && upperBound(i-1) >= v {
			t.Fatalf("value %d: the bucket below (%d) already holds it", v, upperBound(i-1))
		}
	}
}

func TestPercentiles(t *testing.T) {
	var h Histogram
	for v := int64(1); v <= 10000; v++ {
		h.Record(v * 1000) // 1 µs … 10 ms
	}
	for _, c := range []struct {
		p    float64
		want int64
	}{{50, 5_000_000}, {99, 9_900_000}, {99.9, 9_990_000}, {100, 10_000_000}} {
		got := h.Percentile(c.p)
		if got < c.want || float64(got-c.want) > float64(c.want)/64 {
			t.Errorf("p%v = %d, want %d within 1/64", c.p, got, c.want)
		}
	}
	if h.Count() != 10000 {
		t.Errorf("count %d", h.Count())
	}
}
