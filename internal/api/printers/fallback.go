package printers

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fallbackColumns are what a resource without its own printer shows.
var fallbackColumns = []metav1.TableColumnDefinition{nameColumn, ageColumn}

// newFallbackTable prints NAME and AGE for any object with metadata,
// like the generic server's default convertor but with a relative age,
// which reads the same as every other kind's AGE column.
func newFallbackTable(gr schema.GroupResource) *kindTable[metav1.Object] {
	return newTable(gr, fallbackColumns, fallbackCells)
}

func fallbackCells(obj metav1.Object, now time.Time) []interface{} {
	return []interface{}{obj.GetName(), age(obj.GetCreationTimestamp(), now)}
}
