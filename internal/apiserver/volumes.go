package apiserver

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// What the storage admission plugins of kube-apiserver do, done in the
// PersistentVolume and PersistentVolumeClaim strategies and REST storage:
//   - StorageObjectInUseProtection: new claims get the pvc-protection
//     finalizer and new volumes the pv-protection one;
//   - DefaultStorageClass: a claim created without storageClassName gets the
//     default class;
//   - PersistentVolumeClaimResize: a claim may only grow when its class
//     allows volume expansion.

// msgResizeNotAllowed is the PersistentVolumeClaimResize plugin's refusal.
const msgResizeNotAllowed = "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"

// listStorageClasses reads the classes straight from their store.
func (s *Server) listStorageClasses(ctx context.Context) []*storagev1.StorageClass {
	if s.storageClasses == nil {
		return nil
	}
	obj, err := s.storageClasses.List(genericapirequest.WithNamespace(ctx, ""), &metainternalversion.ListOptions{})
	if err != nil {
		return nil
	}
	list, ok := obj.(*storagev1.StorageClassList)
	if !ok {
		return nil
	}
	out := make([]*storagev1.StorageClass, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, &list.Items[i])
	}
	return out
}

func (s *Server) newClaimStrategy(res resource) *strategy {
	st := newStrategy(res)
	st.prepareCreate = func(obj runtime.Object) {
		pvc := obj.(*corev1.PersistentVolumeClaim)
		pvc.Status = corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}
		addFinalizer(&pvc.ObjectMeta, storageutil.PVCProtectionFinalizer)
		_, hasBeta := pvc.Annotations[storageutil.AnnBetaStorageClass]
		if pvc.Spec.StorageClassName == nil && !hasBeta {
			if def := storageutil.DefaultClass(s.listStorageClasses(context.Background())); def != "" {
				pvc.Spec.StorageClassName = &def
			}
		}
	}
	return st
}

func newVolumeStrategy(res resource) *strategy {
	st := newStrategy(res)
	st.prepareCreate = func(obj runtime.Object) {
		pv := obj.(*corev1.PersistentVolume)
		pv.Status = corev1.PersistentVolumeStatus{Phase: corev1.VolumePending}
		addFinalizer(&pv.ObjectMeta, storageutil.PVProtectionFinalizer)
	}
	return st
}

func addFinalizer(m *metav1.ObjectMeta, f string) {
	if !storageutil.HasFinalizer(m.Finalizers, f) {
		m.Finalizers = append(m.Finalizers, f)
	}
}

// ResizeAllowed is the PersistentVolumeClaimResize rule: a bound claim
// whose storage request grows needs a class with allowVolumeExpansion.
func ResizeAllowed(pvc, old *corev1.PersistentVolumeClaim, classes []*storagev1.StorageClass) error {
	newSize, oldSize := storageutil.ClaimRequest(pvc), storageutil.ClaimRequest(old)
	if newSize.Cmp(oldSize) <= 0 {
		return nil
	}
	if old.Status.Phase != corev1.ClaimBound {
		return errors.New("Only bound persistent volume claims can be expanded")
	}
	name := storageutil.ClaimClass(pvc)
	for _, sc := range classes {
		if sc.Name == name && name != "" && sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion {
			return nil
		}
	}
	return errors.New(msgResizeNotAllowed)
}

// claimREST adds the resize admission to claim updates (patches included).
type claimREST struct {
	*mainREST
	s *Server
}

func (r *claimREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	admit := func(ctx context.Context, obj, old runtime.Object) error {
		pvc, oldPVC := obj.(*corev1.PersistentVolumeClaim), old.(*corev1.PersistentVolumeClaim)
		if err := ResizeAllowed(pvc, oldPVC, r.s.listStorageClasses(ctx)); err != nil {
			return apierrors.NewForbidden(r.res.groupResource(), name, err)
		}
		if updateValidation != nil {
			return updateValidation(ctx, obj, old)
		}
		return nil
	}
	return r.mainREST.Update(ctx, name, objInfo, createValidation, admit, forceAllowCreate, options)
}
