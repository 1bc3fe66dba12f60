package allocator

// Dynamic allocation strategy, as Kubernetes does it since KEP-3070 (Service
// IPs) and KEP-3668 (NodePorts): the range is split into a lower "static"
// band and an upper "dynamic" band. AllocateNext scans the upper band from a
// random offset (wrapping around) and only when it is full the lower band,
// again from a random offset. Explicit Allocate works anywhere in the range.
// Random starting points keep allocation O(1) on average for a sparse bitmap
// and make concurrent allocators on different API servers rarely pick the
// same value (the etcd compare would make one of them retry anyway).

// ipStaticBand is the size of the lower band of a Service IP range, counted
// from the first usable address, for a CIDR of size addresses:
// min(max(16, size/16), 256). For 10.43.0.0/16 that is 256 addresses
// (10.43.0.1-10.43.1.0); for a /24 it is 16 (x.x.x.1-x.x.x.16).
func ipStaticBand(size int) int { return min(max(16, size/16), 256) }

// portStaticBand is the size of the lower band of a NodePort range:
// min(max(16, size/32), 128). For 30000-32767 that is 86 ports
// (30000-30085).
func portStaticBand(size int) int { return min(max(16, size/32), 128) }

// pickFree returns a free offset of a range of size values: first from the
// upper band [band, size) scanning from band+upperStart, then from the lower
// band [0, band) scanning from lowerStart. Offsets for which skip is true
// (reserved values) are never returned. The start values are reduced modulo
// their band, so callers may pass any non-negative random number.
func pickFree(b bitmap, size, band int, skip func(int) bool, upperStart, lowerStart int) (int, bool) {
	band = min(band, size)
	if off, ok := scanFree(b, band, size, upperStart, skip); ok {
		return off, true
	}
	return scanFree(b, 0, band, lowerStart, skip)
}

// scanFree looks for a free, not skipped offset in [lo, hi), starting at
// lo + start%(hi-lo) and wrapping around once.
func scanFree(b bitmap, lo, hi, start int, skip func(int) bool) (int, bool) {
	n := hi - lo
	if n <= 0 {
		return 0, false
	}
	i := lo + start%n
	for seen := 0; seen < n; {
		// Whole allocated bytes are skipped at once; a /12 has 2^20 bits.
		if i%8 == 0 && i+8 <= hi && b[i/8] == 0xff && seen+8 <= n {
			i, seen = i+8, seen+8
		} else {
			if !b.has(i) && (skip == nil || !skip(i)) {
				return i, true
			}
			i, seen = i+1, seen+1
		}
		if i >= hi {
			i = lo
		}
	}
	return 0, false
}
