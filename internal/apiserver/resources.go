package apiserver

import (
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// resource describes one served REST resource: what it stores and which
// subresources and discovery hints it has.
type resource struct {
	gvr        schema.GroupVersionResource
	kind       string
	singular   string
	namespaced bool
	newFunc    func() runtime.Object
	newList    func() runtime.Object
	shortNames []string
	categories []string // "all" puts it under `kubectl get all`
	status     bool     // has a /status subresource
	scale      bool     // has a /scale subresource
	// createOnUpdate lets PUT create a missing object (Kubernetes allows it
	// for Endpoints and Leases, which controllers write unconditionally).
	createOnUpdate bool
}

var (
	core         = corev1.SchemeGroupVersion
	apps         = appsv1.SchemeGroupVersion
	discovery    = discoveryv1.SchemeGroupVersion
	storageGV    = storagev1.SchemeGroupVersion
	networking   = networkingv1.SchemeGroupVersion
	coordination = coordinationv1.SchemeGroupVersion
)

func r(gv schema.GroupVersion, plural, singular, kind string, namespaced bool, newFunc, newList func() runtime.Object) resource {
	return resource{gvr: gv.WithResource(plural), singular: singular, kind: kind, namespaced: namespaced, newFunc: newFunc, newList: newList}
}

func (x resource) short(names ...string) resource      { x.shortNames = names; return x }
func (x resource) inAll() resource                     { x.categories = []string{"all"}; return x }
func (x resource) withStatus() resource                { x.status = true; return x }
func (x resource) withScale() resource                 { x.scale = true; return x }
func (x resource) allowCreateOnUpdate() resource       { x.createOnUpdate = true; return x }
func (x resource) groupResource() schema.GroupResource { return x.gvr.GroupResource() }

// servedResources is the list of everything the API server stores. Pods,
// Services, Namespaces and Nodes get extra REST logic in their own files.
var servedResources = []resource{
	r(core, "namespaces", "namespace", "Namespace", false, func() runtime.Object { return &corev1.Namespace{} }, func() runtime.Object { return &corev1.NamespaceList{} }).short("ns").withStatus(),
	r(core, "nodes", "node", "Node", false, func() runtime.Object { return &corev1.Node{} }, func() runtime.Object { return &corev1.NodeList{} }).short("no").withStatus(),
	r(core, "pods", "pod", "Pod", true, func() runtime.Object { return &corev1.Pod{} }, func() runtime.Object { return &corev1.PodList{} }).short("po").inAll().withStatus(),
	r(core, "services", "service", "Service", true, func() runtime.Object { return &corev1.Service{} }, func() runtime.Object { return &corev1.ServiceList{} }).short("svc").inAll().withStatus(),
	r(core, "endpoints", "endpoints", "Endpoints", true, func() runtime.Object { return &corev1.Endpoints{} }, func() runtime.Object { return &corev1.EndpointsList{} }).short("ep").allowCreateOnUpdate(),
	r(core, "configmaps", "configmap", "ConfigMap", true, func() runtime.Object { return &corev1.ConfigMap{} }, func() runtime.Object { return &corev1.ConfigMapList{} }).short("cm"),
	r(core, "secrets", "secret", "Secret", true, func() runtime.Object { return &corev1.Secret{} }, func() runtime.Object { return &corev1.SecretList{} }),
	r(core, "serviceaccounts", "serviceaccount", "ServiceAccount", true, func() runtime.Object { return &corev1.ServiceAccount{} }, func() runtime.Object { return &corev1.ServiceAccountList{} }).short("sa"),
	r(core, "events", "event", "Event", true, func() runtime.Object { return &corev1.Event{} }, func() runtime.Object { return &corev1.EventList{} }).short("ev"),
	r(core, "persistentvolumes", "persistentvolume", "PersistentVolume", false, func() runtime.Object { return &corev1.PersistentVolume{} }, func() runtime.Object { return &corev1.PersistentVolumeList{} }).short("pv").withStatus(),
	r(core, "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, func() runtime.Object { return &corev1.PersistentVolumeClaim{} }, func() runtime.Object { return &corev1.PersistentVolumeClaimList{} }).short("pvc").withStatus(),
	r(apps, "deployments", "deployment", "Deployment", true, func() runtime.Object { return &appsv1.Deployment{} }, func() runtime.Object { return &appsv1.DeploymentList{} }).short("deploy").inAll().withStatus().withScale(),
	r(apps, "replicasets", "replicaset", "ReplicaSet", true, func() runtime.Object { return &appsv1.ReplicaSet{} }, func() runtime.Object { return &appsv1.ReplicaSetList{} }).short("rs").inAll().withStatus().withScale(),
	r(apps, "statefulsets", "statefulset", "StatefulSet", true, func() runtime.Object { return &appsv1.StatefulSet{} }, func() runtime.Object { return &appsv1.StatefulSetList{} }).short("sts").inAll().withStatus().withScale(),
	r(apps, "daemonsets", "daemonset", "DaemonSet", true, func() runtime.Object { return &appsv1.DaemonSet{} }, func() runtime.Object { return &appsv1.DaemonSetList{} }).short("ds").inAll().withStatus(),
	r(apps, "controllerrevisions", "controllerrevision", "ControllerRevision", true, func() runtime.Object { return &appsv1.ControllerRevision{} }, func() runtime.Object { return &appsv1.ControllerRevisionList{} }),
	r(discovery, "endpointslices", "endpointslice", "EndpointSlice", true, func() runtime.Object { return &discoveryv1.EndpointSlice{} }, func() runtime.Object { return &discoveryv1.EndpointSliceList{} }),
	r(storageGV, "storageclasses", "storageclass", "StorageClass", false, func() runtime.Object { return &storagev1.StorageClass{} }, func() runtime.Object { return &storagev1.StorageClassList{} }).short("sc"),
	r(networking, "ingresses", "ingress", "Ingress", true, func() runtime.Object { return &networkingv1.Ingress{} }, func() runtime.Object { return &networkingv1.IngressList{} }).short("ing").withStatus(),
	r(networking, "ingressclasses", "ingressclass", "IngressClass", false, func() runtime.Object { return &networkingv1.IngressClass{} }, func() runtime.Object { return &networkingv1.IngressClassList{} }),
	r(coordination, "leases", "lease", "Lease", true, func() runtime.Object { return &coordinationv1.Lease{} }, func() runtime.Object { return &coordinationv1.LeaseList{} }).allowCreateOnUpdate(),
}

// ServedResources lists the group-version-resources the server stores, with
// whether each is namespaced; controllers (garbage collector, namespace
// deletion) iterate over it.
func ServedResources() []ServedResource {
	out := make([]ServedResource, 0, len(servedResources))
	for _, x := range servedResources {
		out = append(out, ServedResource{GVR: x.gvr, Kind: x.kind, Namespaced: x.namespaced})
	}
	return out
}

// ServedResource names one stored resource.
type ServedResource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Namespaced bool
}
