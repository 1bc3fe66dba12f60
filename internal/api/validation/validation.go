package validation

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateCreate checks an object about to be created. Kinds the package
// does not know return nil.
func ValidateCreate(obj runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return validatePodCreate(o)
	case *corev1.PodTemplate:
		return validatePodTemplate(o)
	case *corev1.Service:
		return validateService(o, nil)
	case *corev1.Endpoints:
		return validateEndpoints(o)
	case *corev1.Namespace:
		return validateNamespace(o)
	case *corev1.Node:
		return validateNode(o)
	case *corev1.ConfigMap:
		return validateConfigMap(o)
	case *corev1.Secret:
		return validateSecret(o)
	case *corev1.ServiceAccount:
		return validateObjectMeta(&o.ObjectMeta, true, apimachineryServiceAccountName)
	case *corev1.Event:
		return validateEvent(o)
	case *corev1.PersistentVolume:
		return validatePersistentVolume(o)
	case *corev1.PersistentVolumeClaim:
		return validatePersistentVolumeClaim(o)
	case *appsv1.Deployment:
		return validateDeployment(o)
	case *appsv1.ReplicaSet:
		return validateReplicaSet(o)
	case *appsv1.StatefulSet:
		return validateStatefulSet(o)
	case *appsv1.DaemonSet:
		return validateDaemonSet(o)
	case *appsv1.ControllerRevision:
		return validateControllerRevision(o)
	case *discoveryv1.EndpointSlice:
		return validateEndpointSlice(o)
	case *storagev1.StorageClass:
		return validateStorageClass(o)
	case *networkingv1.Ingress:
		return validateIngressCreate(o)
	case *networkingv1.IngressClass:
		return validateIngressClass(o)
	case *coordinationv1.Lease:
		return validateLease(o)
	}
	return nil
}

// ValidateUpdate checks an update of old to obj through the main resource
// (not the status subresource). Kinds the package does not know return nil.
func ValidateUpdate(obj, old runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return withOld(o, old, validatePodUpdate)
	case *corev1.PodTemplate:
		return withOld(o, old, validatePodTemplateUpdate)
	case *corev1.Service:
		return withOld(o, old, validateServiceUpdate)
	case *corev1.Endpoints:
		return withOld(o, old, validateEndpointsUpdate)
	case *corev1.Namespace:
		return withOld(o, old, func(n, o *corev1.Namespace) field.ErrorList {
			return validateObjectMetaUpdate(&n.ObjectMeta, &o.ObjectMeta)
		})
	case *corev1.Node:
		return withOld(o, old, validateNodeUpdate)
	case *corev1.ConfigMap:
		return withOld(o, old, validateConfigMapUpdate)
	case *corev1.Secret:
		return withOld(o, old, validateSecretUpdate)
	case *corev1.ServiceAccount:
		return withOld(o, old, validateServiceAccountUpdate)
	case *corev1.Event:
		return withOld(o, old, validateEventUpdate)
	case *corev1.PersistentVolume:
		return withOld(o, old, validatePersistentVolumeUpdate)
	case *corev1.PersistentVolumeClaim:
		return withOld(o, old, validatePersistentVolumeClaimUpdate)
	case *appsv1.Deployment:
		return withOld(o, old, validateDeploymentUpdate)
	case *appsv1.ReplicaSet:
		return withOld(o, old, validateReplicaSetUpdate)
	case *appsv1.StatefulSet:
		return withOld(o, old, validateStatefulSetUpdate)
	case *appsv1.DaemonSet:
		return withOld(o, old, validateDaemonSetUpdate)
	case *appsv1.ControllerRevision:
		return withOld(o, old, validateControllerRevisionUpdate)
	case *discoveryv1.EndpointSlice:
		return withOld(o, old, validateEndpointSliceUpdate)
	case *storagev1.StorageClass:
		return withOld(o, old, validateStorageClassUpdate)
	case *networkingv1.Ingress:
		return withOld(o, old, validateIngressUpdate)
	case *networkingv1.IngressClass:
		return withOld(o, old, validateIngressClassUpdate)
	case *coordinationv1.Lease:
		return withOld(o, old, validateLeaseUpdate)
	}
	return nil
}

// ValidateStatusUpdate checks an update through the status subresource: the
// metadata rules plus the kind's status rules. The caller is expected to
// have copied the old spec into obj, as Kubernetes' status strategies do.
// Kinds without a status subresource get their ordinary update validation.
func ValidateStatusUpdate(obj, old runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return withOld(o, old, validatePodStatusUpdate)
	case *corev1.Service:
		return withOld(o, old, validateServiceStatusUpdate)
	case *corev1.Namespace:
		return withOld(o, old, validateNamespaceStatusUpdate)
	case *corev1.Node:
		return withOld(o, old, validateNodeUpdate)
	case *corev1.PersistentVolume:
		return withOld(o, old, validatePersistentVolumeStatusUpdate)
	case *corev1.PersistentVolumeClaim:
		return withOld(o, old, validatePersistentVolumeClaimStatusUpdate)
	case *appsv1.Deployment:
		return withOld(o, old, validateDeploymentStatusUpdate)
	case *appsv1.ReplicaSet:
		return withOld(o, old, validateReplicaSetStatusUpdate)
	case *appsv1.StatefulSet:
		return withOld(o, old, validateStatefulSetStatusUpdate)
	case *appsv1.DaemonSet:
		return withOld(o, old, validateDaemonSetStatusUpdate)
	case *networkingv1.Ingress:
		return withOld(o, old, validateIngressStatusUpdate)
	}
	return ValidateUpdate(obj, old)
}

// withOld runs an update check once old has been shown to be the same kind
// as the new object; a mismatch is a programming error of the caller.
func withOld[T runtime.Object](obj T, old runtime.Object, check func(newObj, oldObj T) field.ErrorList) field.ErrorList {
	o, ok := old.(T)
	if !ok {
		return field.ErrorList{field.InternalError(field.NewPath(""), fmt.Errorf("cannot validate an update of %T from %T", obj, old))}
	}
	return check(obj, o)
}
