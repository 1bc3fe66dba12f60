package allocator

import (
	"encoding/json"
	"fmt"
	"math/bits"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// bitmap holds one bit per value of a range: bit i (byte i/8, bit i%8, least
// significant first) set means offset i is allocated. Its length is fixed by
// the range size, so bitmaps of one range are always comparable.
type bitmap []byte

func newBitmap(size int) bitmap { return make(bitmap, (size+7)/8) }

func (b bitmap) has(i int) bool { return b[i/8]&(1<<(i%8)) != 0 }
func (b bitmap) set(i int)      { b[i/8] |= 1 << (i % 8) }
func (b bitmap) clear(i int)    { b[i/8] &^= 1 << (i % 8) }

func (b bitmap) clone() bitmap { return append(bitmap(nil), b...) }

// count is the number of allocated values.
func (b bitmap) count() int {
	n := 0
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return n
}

// encodeRange serializes a bitmap as the core/v1 RangeAllocation Kubernetes
// itself keeps under /registry/ranges: Range names the range (a CIDR or
// "30000-32767") so a reconfigured range is detected; Data is the bitmap.
func encodeRange(spec string, b bitmap) ([]byte, error) {
	ra := corev1.RangeAllocation{
		TypeMeta: metaRangeAllocation,
		Range:    spec,
		Data:     b,
	}
	return json.Marshal(&ra)
}

var metaRangeAllocation = metav1.TypeMeta{APIVersion: "v1", Kind: "RangeAllocation"}

// decodeRange parses a stored RangeAllocation. It returns ErrRangeChanged
// (wrapped) when the stored range is not spec, and an error when the data
// does not fit a range of size values.
func decodeRange(raw []byte, spec string, size int) (bitmap, error) {
	var ra corev1.RangeAllocation
	if err := json.Unmarshal(raw, &ra); err != nil {
		return nil, fmt.Errorf("decoding range allocation: %w", err)
	}
	if ra.Range != spec {
		return nil, fmt.Errorf("%w: etcd has %q, configured %q", ErrRangeChanged, ra.Range, spec)
	}
	b := newBitmap(size)
	if len(ra.Data) > len(b) {
		return nil, fmt.Errorf("range allocation for %q has %d bytes of data, want at most %d", spec, len(ra.Data), len(b))
	}
	copy(b, ra.Data)
	// Bits past the end of the range would be counted as allocated; refuse.
	if size%8 != 0 && len(b) > 0 && b[len(b)-1]>>(size%8) != 0 {
		return nil, fmt.Errorf("range allocation for %q has bits set beyond its %d values", spec, size)
	}
	return b, nil
}
