package validation

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/berth-project/berth/internal/api/defaults"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// want is one expected error: its type and its field path.
type want struct {
	typ   field.ErrorType
	field string
}

func req(f string) want       { return want{field.ErrorTypeRequired, f} }
func inv(f string) want       { return want{field.ErrorTypeInvalid, f} }
func unsup(f string) want     { return want{field.ErrorTypeNotSupported, f} }
func dup(f string) want       { return want{field.ErrorTypeDuplicate, f} }
func forbidden(f string) want { return want{field.ErrorTypeForbidden, f} }
func notFound(f string) want  { return want{field.ErrorTypeNotFound, f} }
func tooLong(f string) want   { return want{field.ErrorTypeTooLong, f} }
func tooMany(f string) want   { return want{field.ErrorTypeTooMany, f} }

func key(typ field.ErrorType, f string) string { return fmt.Sprintf("%s %s", typ, f) }

// expectErrs fails unless errs holds exactly the wanted (type, path) pairs,
// as a multiset.
func expectErrs(t *testing.T, errs field.ErrorList, wants ...want) {
	t.Helper()
	var got, exp []string
	for _, e := range errs {
		got = append(got, key(e.Type, e.Field))
	}
	for _, w := range wants {
		exp = append(exp, key(w.typ, w.field))
	}
	sort.Strings(got)
	sort.Strings(exp)
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("errors mismatch\n got: %q\nwant: %q\nfull: %v", got, exp, errs)
	}
}

// expectDetail fails unless some error on path f carries detail text d.
func expectDetail(t *testing.T, errs field.ErrorList, f, d string) {
	t.Helper()
	for _, e := range errs {
		if e.Field == f && strings.Contains(e.Detail, d) {
			return
		}
	}
	t.Errorf("no error on %s with detail %q in %v", f, d, errs)
}

// defaulted applies the defaults, as the server does before validating.
func defaulted[T runtime.Object](obj T) T {
	defaults.Default(obj)
	return obj
}

// createCase is a table row: a mutation of a valid object and the errors
// it must produce.
type createCase[T runtime.Object] struct {
	name   string
	mutate func(T)
	want   []want
}

func runCreateCases[T runtime.Object](t *testing.T, valid func() T, cases []createCase[T]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj := valid()
			if c.mutate != nil {
				c.mutate(obj)
			}
			expectErrs(t, ValidateCreate(obj), c.want...)
		})
	}
}

// updateCase mutates a copy of a valid stored object into the update.
type updateCase[T runtime.Object] struct {
	name   string
	old    func(T) // optional change to the stored object
	mutate func(T)
	want   []want
}

func runUpdateCases[T interface {
	runtime.Object
	SetResourceVersion(string)
}](t *testing.T, valid func() T, copyOf func(T) T, check func(obj, old runtime.Object) field.ErrorList, cases []updateCase[T]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := valid()
			old.SetResourceVersion("1")
			if c.old != nil {
				c.old(old)
			}
			obj := copyOf(old)
			if c.mutate != nil {
				c.mutate(obj)
			}
			expectErrs(t, check(obj, old), c.want...)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func equalObjects(a, b runtime.Object) bool { return equality.Semantic.DeepEqual(a, b) }
