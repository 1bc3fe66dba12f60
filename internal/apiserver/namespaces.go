package apiserver

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Namespaces are deleted in two steps, as on Kubernetes: DELETE marks the
// namespace Terminating; the namespace controller empties it and removes the
// "kubernetes" finalizer through /finalize; the update that leaves no
// finalizer removes the namespace.

const namespaceNameLabel = "kubernetes.io/metadata.name"

func newNamespaceStrategy(res resource) *strategy {
	st := newStrategy(res)
	st.prepareCreate = func(obj runtime.Object) {
		ns := obj.(*corev1.Namespace)
		ns.Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
		ns.Spec.Finalizers = []corev1.FinalizerName{corev1.FinalizerKubernetes}
		setNamespaceNameLabel(ns)
	}
	st.prepareUpdate = func(obj, old runtime.Object) {
		ns, oldNS := obj.(*corev1.Namespace), old.(*corev1.Namespace)
		ns.Spec.Finalizers = oldNS.Spec.Finalizers
		setNamespaceNameLabel(ns)
	}
	return st
}

func setNamespaceNameLabel(ns *corev1.Namespace) {
	if ns.Labels == nil {
		ns.Labels = map[string]string{}
	}
	ns.Labels[namespaceNameLabel] = ns.Name
}

// shouldDeleteNamespaceDuringUpdate removes a terminating namespace as soon as
// both its spec and metadata finalizers are gone.
func shouldDeleteNamespaceDuringUpdate(ctx context.Context, key string, obj, existing runtime.Object) bool {
	ns := obj.(*corev1.Namespace)
	return len(ns.Spec.Finalizers) == 0 && genericregistry.ShouldDeleteDuringUpdate(ctx, key, obj, existing)
}

// namespaceREST overrides Delete of the namespace store.
type namespaceREST struct {
	*mainREST
}

func (n *namespaceREST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	obj, err := n.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, false, err
	}
	ns := obj.(*corev1.Namespace)
	if ns.DeletionTimestamp.IsZero() {
		if deleteValidation != nil {
			if err := deleteValidation(ctx, ns); err != nil {
				return nil, false, err
			}
		}
		key, err := n.KeyFunc(ctx, name)
		if err != nil {
			return nil, false, err
		}
		pre := &storage.Preconditions{UID: &ns.UID}
		if options != nil && options.Preconditions != nil {
			if options.Preconditions.UID != nil {
				pre.UID = options.Preconditions.UID
			}
			pre.ResourceVersion = options.Preconditions.ResourceVersion
		}
		out := &corev1.Namespace{}
		err = n.Storage.GuaranteedUpdate(ctx, key, out, false, pre, storage.SimpleUpdate(func(existing runtime.Object) (runtime.Object, error) {
			e := existing.(*corev1.Namespace)
			if e.DeletionTimestamp.IsZero() {
				now := metav1.Now()
				e.DeletionTimestamp = &now
			}
			e.Status.Phase = corev1.NamespaceTerminating
			if options != nil && options.PropagationPolicy != nil && *options.PropagationPolicy == metav1.DeletePropagationOrphan {
				e.Finalizers = appendIfMissing(e.Finalizers, metav1.FinalizerOrphanDependents)
			}
			return e, nil
		}), isDryRun(options), nil)
		if err != nil {
			return nil, false, err
		}
		return out, false, nil
	}
	if len(ns.Spec.Finalizers) != 0 {
		return ns, false, nil
	}
	return n.mainREST.Delete(ctx, name, deleteValidation, options)
}

func isDryRun(options *metav1.DeleteOptions) bool {
	return options != nil && len(options.DryRun) > 0
}

func appendIfMissing(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// finalizeStrategy lets /finalize change only spec.finalizers.
type finalizeStrategy struct{ *strategy }

func (f finalizeStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	ns, oldNS := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	finalizers := ns.Spec.Finalizers
	*ns = *oldNS.DeepCopy()
	ns.Spec.Finalizers = finalizers
}

func (f finalizeStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("status"))}
}

// finalizeREST serves PUT namespaces/NAME/finalize.
type finalizeREST struct{ store *genericregistry.Store }

func (f *finalizeREST) New() runtime.Object { return &corev1.Namespace{} }
func (f *finalizeREST) Destroy()            {}
func (f *finalizeREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return f.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}
