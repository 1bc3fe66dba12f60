package apiserver

import (
	"context"

	"github.com/berth-project/berth/internal/api/printers"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// mainREST is the storage of a resource itself (not a subresource), with the
// discovery hints kubectl uses (short names, the "all" category).
type mainREST struct {
	*genericregistry.Store
	res resource
}

func (m *mainREST) ShortNames() []string { return m.res.shortNames }
func (m *mainREST) Categories() []string { return m.res.categories }

// statusREST serves /status: it shares the main store but only status moves.
type statusREST struct {
	store *genericregistry.Store
}

func (s *statusREST) New() runtime.Object { return s.store.New() }
func (s *statusREST) Destroy()            {}
func (s *statusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return s.store.Get(ctx, name, options)
}
func (s *statusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Subresources never create their parent.
	return s.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}
func (s *statusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return s.store.GetResetFields()
}
func (s *statusREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return s.store.ConvertToTable(ctx, object, tableOptions)
}

// storeStrategy is what a resource's main store needs of its strategy; kinds
// with extra rules (pods: graceful deletion) embed *strategy and add methods.
type storeStrategy interface {
	rest.RESTCreateStrategy
	rest.RESTUpdateStrategy
	rest.RESTDeleteStrategy
	rest.ResetFieldsStrategy
	base() *strategy
}

// newStore builds the etcd-backed generic store of one resource with the
// given strategy, plus a /status store when the resource has one.
func newStore(res resource, st storeStrategy, optsGetter generic.RESTOptionsGetter) (*genericregistry.Store, *genericregistry.Store, error) {
	store := &genericregistry.Store{
		NewFunc:                   res.newFunc,
		NewListFunc:               res.newList,
		DefaultQualifiedResource:  res.groupResource(),
		SingularQualifiedResource: schema.GroupResource{Group: res.gvr.Group, Resource: res.singular},
		PredicateFunc:             predicateFunc,
		CreateStrategy:            st,
		UpdateStrategy:            st,
		DeleteStrategy:            st,
		ResetFieldsStrategy:       st,
		TableConvertor:            printers.ForResource(res.groupResource()),
	}
	options := &generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: getAttrs}
	if err := store.CompleteWithOptions(options); err != nil {
		return nil, nil, err
	}
	if !res.status {
		return store, nil, nil
	}
	status := *store
	ss := statusStrategy{st.base()}
	status.CreateStrategy = nil
	status.DeleteStrategy = nil
	status.UpdateStrategy = ss
	status.ResetFieldsStrategy = ss
	return store, &status, nil
}
