package allocator

import (
	"errors"
	"testing"
)

func TestBitmapSetClearCount(t *testing.T) {
	b := newBitmap(20)
	if len(b) != 3 {
		t.Fatalf("20 bits need 3 bytes, got %d", len(b))
	}
	for _, i := range []int{0, 7, 8, 19} {
		b.set(i)
	}
	b.set(7) // setting twice counts once
	if got := b.count(); got != 4 {
		t.Fatalf("count = %d, want 4", got)
	}
	for i := range 20 {
		want := i == 0 || i == 7 || i == 8 || i == 19
		if b.has(i) != want {
			t.Errorf("has(%d) = %v, want %v", i, b.has(i), want)
		}
	}
	b.clear(8)
	b.clear(9) // clearing a clear bit is harmless
	if b.has(8) || b.count() != 3 {
		t.Fatalf("after clear(8): has=%v count=%d", b.has(8), b.count())
	}
	c := b.clone()
	c.set(1)
	if b.has(1) {
		t.Fatal("clone shares storage with the original")
	}
}

func TestEncodeDecodeRange(t *testing.T) {
	b := newBitmap(2768)
	b.set(0)
	b.set(2767)
	raw, err := encodeRange("30000-32767", b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeRange(raw, "30000-32767", 2768)
	if err != nil {
		t.Fatal(err)
	}
	if !got.has(0) || !got.has(2767) || got.count() != 2 {
		t.Fatalf("round trip lost bits: count=%d", got.count())
	}
}

func TestDecodeRangeRejects(t *testing.T) {
	full := newBitmap(12)
	full.set(11)
	okRaw, _ := encodeRange("10.0.0.0/28", full)
	long, _ := encodeRange("10.0.0.0/28", newBitmap(64))
	beyond, _ := encodeRange("10.0.0.0/28", bitmap{0xff, 0xff}) // 16 bits for a 12-value range
	short, _ := encodeRange("10.0.0.0/28", bitmap{0x01})        // trimmed data is padded
	tests := []struct {
		name      string
		raw       []byte
		spec      string
		wantErr   bool
		wantRange bool // errors.Is ErrRangeChanged
		wantCount int
	}{
		{name: "matching", raw: okRaw, spec: "10.0.0.0/28", wantCount: 1},
		{name: "short data padded", raw: short, spec: "10.0.0.0/28", wantCount: 1},
		{name: "other range", raw: okRaw, spec: "10.0.0.0/24", wantErr: true, wantRange: true},
		{name: "too much data", raw: long, spec: "10.0.0.0/28", wantErr: true},
		{name: "bits beyond the range", raw: beyond, spec: "10.0.0.0/28", wantErr: true},
		{name: "not json", raw: []byte("\x00garbage"), spec: "10.0.0.0/28", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := decodeRange(tt.raw, tt.spec, 12)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if errors.Is(err, ErrRangeChanged) != tt.wantRange {
				t.Fatalf("errors.Is(err, ErrRangeChanged) = %v, want %v (err %v)", !tt.wantRange, tt.wantRange, err)
			}
			if err == nil && b.count() != tt.wantCount {
				t.Fatalf("count = %d, want %d", b.count(), tt.wantCount)
			}
		})
	}
}
