package printers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// kindTable is the rest.TableConvertor for one kind whose objects have Go
// type T. It knows the columns and how to turn one object into cells; it
// handles single objects and lists alike, as the generic registry passes
// both (GET and WATCH events versus LIST).
type kindTable[T any] struct {
	resource schema.GroupResource
	columns  []metav1.TableColumnDefinition
	cells    func(obj T, now time.Time) []interface{}
	// conditions optionally marks rows (pods use it to flag finished pods,
	// which clients may choose to hide).
	conditions func(obj T) []metav1.TableRowCondition
	// now is the clock ages are measured against; tests pin it.
	now func() time.Time
}

func newTable[T any](gr schema.GroupResource, columns []metav1.TableColumnDefinition, cells func(T, time.Time) []interface{}) *kindTable[T] {
	return &kindTable[T]{resource: gr, columns: columns, cells: cells, now: time.Now}
}

// withConditions sets the row condition function and returns the table.
func (k *kindTable[T]) withConditions(f func(T) []metav1.TableRowCondition) *kindTable[T] {
	k.conditions = f
	return k
}

// ConvertToTable implements rest.TableConvertor.
func (k *kindTable[T]) ConvertToTable(_ context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	now := k.now()
	// An empty list must encode as "rows": [], never null, as Kubernetes does.
	table := &metav1.Table{Rows: []metav1.TableRow{}}
	err := eachObject(object, func(o runtime.Object) error {
		typed, ok := o.(T)
		if !ok {
			slog.Error("table conversion got an object of the wrong type",
				"resource", k.resource.String(), "type", fmt.Sprintf("%T", o))
			return errNotAcceptable{resource: k.resource}
		}
		row := metav1.TableRow{Cells: k.cells(typed, now), Object: runtime.RawExtension{Object: o}}
		if k.conditions != nil {
			row.Conditions = k.conditions(typed)
		}
		table.Rows = append(table.Rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	copyListMeta(table, object)
	if !noHeaders(tableOptions) {
		table.ColumnDefinitions = append([]metav1.TableColumnDefinition(nil), k.columns...)
	}
	return table, nil
}

// eachObject calls fn for the object itself, or for every item of a list.
func eachObject(object runtime.Object, fn func(runtime.Object) error) error {
	if !meta.IsListType(object) {
		return fn(object)
	}
	items, err := meta.ExtractList(object)
	if err != nil {
		return err
	}
	for _, item := range items {
		if err := fn(item); err != nil {
			return err
		}
	}
	return nil
}

// copyListMeta carries paging and resource version over from the list, so a
// chunked `kubectl get` (limit/continue) keeps working on tables; a single
// object only contributes its resource version.
func copyListMeta(table *metav1.Table, object runtime.Object) {
	if l, err := meta.ListAccessor(object); err == nil {
		table.ResourceVersion = l.GetResourceVersion()
		table.Continue = l.GetContinue()
		table.RemainingItemCount = l.GetRemainingItemCount()
		return
	}
	if a, err := meta.CommonAccessor(object); err == nil {
		table.ResourceVersion = a.GetResourceVersion()
	}
}

// noHeaders reports whether the client asked to leave out column definitions
// (kubectl sets it with --no-headers on later chunks of a paged list).
func noHeaders(tableOptions runtime.Object) bool {
	opts, ok := tableOptions.(*metav1.TableOptions)
	return ok && opts != nil && opts.NoHeaders
}
