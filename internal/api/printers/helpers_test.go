package printers

import (
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// now is the fixed instant every test measures ages against.
var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// ago is a timestamp d before now.
func ago(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }

// agoPtr is ago as a pointer, for deletion timestamps.
func agoPtr(d time.Duration) *metav1.Time { t := ago(d); return &t }

// objMeta builds object metadata created d ago.
func objMeta(name string, d time.Duration) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: ago(d)}
}

func ptr[T any](v T) *T { return &v }

// row is the cell list a test expects; it reads like a line of kubectl output.
type row = []interface{}

// checkCells compares cells with the expected row, naming the first column
// that differs.
func checkCells(t *testing.T, columns int, got, want row) {
	t.Helper()
	if len(got) != columns {
		t.Errorf("got %d cells for %d columns", len(got), columns)
	}
	if reflect.DeepEqual(got, want) {
		return
	}
	for i := range max(len(got), len(want)) {
		var g, w interface{} = "<missing>", "<missing>"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("cell %d: got %#v, want %#v", i, g, w)
		}
	}
}
