package allocator

import "testing"

func TestStaticBands(t *testing.T) {
	tests := []struct {
		name string
		f    func(int) int
		size int
		want int
	}{
		{"ip /28", ipStaticBand, 16, 16},
		{"ip /24", ipStaticBand, 256, 16},
		{"ip /21", ipStaticBand, 2048, 128},
		{"ip /20", ipStaticBand, 4096, 256},
		{"ip /16", ipStaticBand, 65536, 256},
		{"ip /12", ipStaticBand, 1 << 20, 256},
		{"ports default", portStaticBand, 2768, 86},
		{"ports small", portStaticBand, 100, 16},
		{"ports large", portStaticBand, 10000, 128},
	}
	for _, tt := range tests {
		if got := tt.f(tt.size); got != tt.want {
			t.Errorf("%s: band(%d) = %d, want %d", tt.name, tt.size, got, tt.want)
		}
	}
}

// bitsSet builds a bitmap of size with the given offsets allocated.
func bitsSet(size int, offs ...int) bitmap {
	b := newBitmap(size)
	for _, o := range offs {
		b.set(o)
	}
	return b
}

func rangeOf(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestPickFree(t *testing.T) {
	skip0 := func(i int) bool { return i == 0 }
	tests := []struct {
		name       string
		b          bitmap
		size, band int
		skip       func(int) bool
		upper      int
		lower      int
		want       int
		wantOK     bool
	}{
		{name: "empty range starts in upper band", b: newBitmap(32), size: 32, band: 16, want: 16, wantOK: true},
		{name: "upper start offset", b: newBitmap(32), size: 32, band: 16, upper: 5, want: 21, wantOK: true},
		{name: "upper start is taken modulo the band", b: newBitmap(32), size: 32, band: 16, upper: 16 + 3, want: 19, wantOK: true},
		{name: "taken value is skipped", b: bitsSet(32, 21), size: 32, band: 16, upper: 5, want: 22, wantOK: true},
		{name: "wraps inside upper band", b: bitsSet(32, rangeOf(20, 32)...), size: 32, band: 16, upper: 4, want: 16, wantOK: true},
		{name: "upper full falls back to lower", b: bitsSet(32, rangeOf(16, 32)...), size: 32, band: 16, lower: 3, want: 3, wantOK: true},
		{name: "reserved never picked", b: bitsSet(32, rangeOf(1, 32)...), size: 32, band: 16, skip: skip0, wantOK: false},
		{name: "reserved skipped in lower band", b: bitsSet(32, rangeOf(16, 32)...), size: 32, band: 16, skip: skip0, want: 1, wantOK: true},
		{name: "full", b: bitsSet(32, rangeOf(0, 32)...), size: 32, band: 16, wantOK: false},
		{name: "band larger than range", b: bitsSet(10, 0, 1), size: 10, band: 16, want: 2, wantOK: true},
		{name: "full bytes skipped, last free bit found", b: bitsSet(1024, rangeOf(0, 1023)...), size: 1024, band: 256, upper: 7, want: 1023, wantOK: true},
		{name: "free bit before a mid-byte start after wrap", b: bitsSet(64, append(rangeOf(16, 40), rangeOf(41, 64)...)...), size: 64, band: 16, upper: 27, want: 40, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pickFree(tt.b, tt.size, tt.band, tt.skip, tt.upper, tt.lower)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Fatalf("pickFree = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// Every free, non-skipped offset is found from every start: the scan never
// misses a value, whatever the byte-skipping does.
func TestPickFreeFindsLoneFreeValue(t *testing.T) {
	const size, band = 70, 16
	for free := range size {
		b := newBitmap(size)
		for i := range size {
			if i != free {
				b.set(i)
			}
		}
		for start := range size {
			got, ok := pickFree(b, size, band, nil, start, start)
			if !ok || got != free {
				t.Fatalf("free=%d start=%d: got %d, %v", free, start, got, ok)
			}
		}
	}
}
