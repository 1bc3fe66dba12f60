package defaults

import (
	"log/slog"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// Default fills in the unset fields of obj in place, the way a Kubernetes API
// server does for the same kind. Kinds without defaults are left untouched;
// lists have each item defaulted.
func Default(obj runtime.Object) {
	switch o := obj.(type) {
	case *corev1.Pod:
		defaultPod(o)
	case *corev1.PodTemplate:
		defaultPodTemplateSpec(&o.Template)
	case *corev1.Service:
		defaultService(o)
	case *corev1.Endpoints:
		defaultEndpoints(o)
	case *corev1.Namespace:
		defaultNamespace(o)
	case *corev1.Node:
		defaultNode(o)
	case *corev1.Secret:
		defaultSecret(o)
	case *corev1.ConfigMap:
		defaultConfigMap(o)
	case *corev1.PersistentVolume:
		defaultPersistentVolume(o)
	case *corev1.PersistentVolumeClaim:
		defaultPersistentVolumeClaim(o)
	case *corev1.ServiceAccount, *corev1.Event, *appsv1.ControllerRevision, *coordinationv1.Lease, *networkingv1.Ingress:
		// Nothing is defaulted on these kinds (an Ingress path's pathType is
		// required, not defaulted).
	case *appsv1.Deployment:
		defaultDeployment(o)
	case *appsv1.ReplicaSet:
		defaultReplicaSet(o)
	case *appsv1.StatefulSet:
		defaultStatefulSet(o)
	case *appsv1.DaemonSet:
		defaultDaemonSet(o)
	case *discoveryv1.EndpointSlice:
		defaultEndpointSlice(o)
	case *storagev1.StorageClass:
		defaultStorageClass(o)
	case *networkingv1.IngressClass:
		defaultIngressClass(o)
	default:
		if obj != nil && meta.IsListType(obj) {
			if err := meta.EachListItem(obj, func(item runtime.Object) error {
				Default(item)
				return nil
			}); err != nil {
				slog.Debug("defaults: cannot walk list", "type", obj.GetObjectKind().GroupVersionKind().String(), "err", err)
			}
		}
	}
}

// ptrTo returns a pointer to a copy of v; defaults are fresh values so that no
// two objects share one.
func ptrTo[T any](v T) *T { return &v }
