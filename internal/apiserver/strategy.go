package apiserver

import (
	"context"
	"reflect"

	"github.com/berth-project/berth/internal/api/scheme"
	"github.com/berth-project/berth/internal/api/validation"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// strategy is the create/update/delete policy shared by every resource:
// Kubernetes' rules for status, generation and validation, parameterised by
// the resource's description. Kinds with extra rules wrap it.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	res resource
	// prepareCreate runs kind-specific initialisation after the common one.
	prepareCreate func(obj runtime.Object)
	// prepareUpdate runs kind-specific rules after the common ones.
	prepareUpdate func(obj, old runtime.Object)
}

func newStrategy(res resource) *strategy {
	return &strategy{ObjectTyper: scheme.Scheme, NameGenerator: names.SimpleNameGenerator, res: res}
}

func (s *strategy) NamespaceScoped() bool { return s.res.namespaced }
func (s *strategy) base() *strategy       { return s }

// PrepareForCreate clears what a client may not set on create: status, for
// kinds whose status a controller owns (the /status subresource), and sets
// the first generation.
func (s *strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	if s.res.status && s.res.kind != "Node" { // kubelets create Nodes with their status
		resetField(obj, "Status")
	}
	if hasField(obj, "Spec") {
		if m, err := meta.Accessor(obj); err == nil {
			m.SetGeneration(1)
		}
	}
	if s.prepareCreate != nil {
		s.prepareCreate(obj)
	}
}

// PrepareForUpdate keeps status out of reach of the main resource (it moves
// only through /status) and bumps metadata.generation when the spec changes.
func (s *strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	if s.res.status {
		copyField(obj, old, "Status")
	}
	bumpGeneration(obj, old)
	if s.prepareUpdate != nil {
		s.prepareUpdate(obj, old)
	}
}

func bumpGeneration(obj, old runtime.Object) {
	if !hasField(obj, "Spec") {
		return
	}
	newMeta, err1 := meta.Accessor(obj)
	oldMeta, err2 := meta.Accessor(old)
	if err1 != nil || err2 != nil {
		return
	}
	gen := oldMeta.GetGeneration()
	if !apiequality.Semantic.DeepEqual(fieldOf(obj, "Spec"), fieldOf(old, "Spec")) {
		gen++
	}
	newMeta.SetGeneration(gen)
}

func (s *strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateCreate(obj)
}

func (s *strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateUpdate(obj, old)
}

func (s *strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string { return nil }
func (s *strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}
func (s *strategy) Canonicalize(obj runtime.Object)                   {}
func (s *strategy) AllowCreateOnUpdate(ctx context.Context) bool      { return s.res.createOnUpdate }
func (s *strategy) AllowUnconditionalUpdate(ctx context.Context) bool { return true }

// GetResetFields tells server-side apply which fields the main resource
// never changes, so managers of status are not reported as conflicts.
func (s *strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	if !s.res.status {
		return nil
	}
	return map[fieldpath.APIVersion]*fieldpath.Set{
		fieldpath.APIVersion(s.res.gvr.GroupVersion().String()): fieldpath.NewSet(fieldpath.MakePathOrDie("status")),
	}
}

// statusStrategy is the policy of the /status subresource: only status moves.
type statusStrategy struct{ *strategy }

func (s statusStrategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {}

func (s statusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	copyField(obj, old, "Spec")
	newMeta, err1 := meta.Accessor(obj)
	oldMeta, err2 := meta.Accessor(old)
	if err1 == nil && err2 == nil {
		newMeta.SetLabels(oldMeta.GetLabels())
		newMeta.SetAnnotations(oldMeta.GetAnnotations())
		newMeta.SetOwnerReferences(oldMeta.GetOwnerReferences())
		newMeta.SetFinalizers(oldMeta.GetFinalizers())
		newMeta.SetGeneration(oldMeta.GetGeneration())
		newMeta.SetDeletionTimestamp(oldMeta.GetDeletionTimestamp())
	}
}

func (s statusStrategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateStatusUpdate(obj, old)
}

func (s statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		fieldpath.APIVersion(s.res.gvr.GroupVersion().String()): fieldpath.NewSet(
			fieldpath.MakePathOrDie("spec"),
			fieldpath.MakePathOrDie("metadata", "labels"),
			fieldpath.MakePathOrDie("metadata", "annotations"),
		),
	}
}

var _ rest.RESTCreateStrategy = &strategy{}
var _ rest.RESTUpdateStrategy = &strategy{}
var _ rest.ResetFieldsStrategy = &strategy{}

// Reflection helpers: every k8s.io/api kind is a struct with optional Spec
// and Status fields; one generic strategy handles them all this way.

func structOf(obj runtime.Object) reflect.Value {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	return v
}

func hasField(obj runtime.Object, name string) bool {
	v := structOf(obj)
	return v.Kind() == reflect.Struct && v.FieldByName(name).IsValid()
}

func fieldOf(obj runtime.Object, name string) interface{} {
	f := structOf(obj).FieldByName(name)
	if !f.IsValid() {
		return nil
	}
	return f.Interface()
}

func resetField(obj runtime.Object, name string) {
	f := structOf(obj).FieldByName(name)
	if f.IsValid() && f.CanSet() {
		f.Set(reflect.Zero(f.Type()))
	}
}

func copyField(dst, src runtime.Object, name string) {
	d := structOf(dst).FieldByName(name)
	s := structOf(src).FieldByName(name)
	if d.IsValid() && s.IsValid() && d.CanSet() {
		d.Set(s)
	}
}
