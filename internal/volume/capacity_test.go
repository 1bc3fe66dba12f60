package volume

import "testing"

func TestFSSize(t *testing.T) {
	for _, tc := range []struct {
		capacity int64
		online   bool
		want     int64
	}{
		{10 << 20, true, 10 << 20},
		{10<<20 + 1, true, 11 << 20},
		{10 << 20, false, 74 << 20},
		{1 << 30, false, 4 << 30},
	} {
		if got := FSSize(tc.capacity, tc.online); got != tc.want {
			t.Errorf("FSSize(%d, %v) = %d, want %d", tc.capacity, tc.online, got, tc.want)
		}
	}
}

func TestReservedClusters(t *testing.T) {
	for _, tc := range []struct {
		usable, bs, capacity, def, want int64
	}{
		{69851, 1024, 10 << 20, 1397, 69851 - 10240},
		{69851, 1024, 30 << 20, 1397, 69851 - 30720},
		{69851, 1024, 68 << 20, 1397, 1397}, // never below the kernel's default
		{1000, 4096, 1 << 30, 0, 0},         // filesystem smaller than the claim
	} {
		if got := ReservedClusters(tc.usable, tc.bs, tc.capacity, tc.def); got != tc.want {
			t.Errorf("ReservedClusters(%+v) = %d, want %d", tc, got, tc.want)
		}
	}
}
