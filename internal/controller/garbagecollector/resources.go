package garbagecollector

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is one API resource the collector watches. Kind is needed because
// ownerReferences name their owner by apiVersion and kind, while the API is
// addressed by resource.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Namespaced bool
}

// BuiltinResources lists the resources berth serves, for callers that do not
// want to spell them out.
func BuiltinResources() []Resource {
	core := func(res, kind string, namespaced bool) Resource {
		return Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: res}, Kind: kind, Namespaced: namespaced}
	}
	gv := func(group, res, kind string, namespaced bool) Resource {
		return Resource{GVR: schema.GroupVersionResource{Group: group, Version: "v1", Resource: res}, Kind: kind, Namespaced: namespaced}
	}
	return []Resource{
		core("pods", "Pod", true),
		core("services", "Service", true),
		core("endpoints", "Endpoints", true),
		core("configmaps", "ConfigMap", true),
		core("secrets", "Secret", true),
		core("serviceaccounts", "ServiceAccount", true),
		core("events", "Event", true),
		core("persistentvolumeclaims", "PersistentVolumeClaim", true),
		core("persistentvolumes", "PersistentVolume", false),
		core("nodes", "Node", false),
		core("namespaces", "Namespace", false),
		gv("apps", "deployments", "Deployment", true),
		gv("apps", "replicasets", "ReplicaSet", true),
		gv("apps", "statefulsets", "StatefulSet", true),
		gv("apps", "daemonsets", "DaemonSet", true),
		gv("apps", "controllerrevisions", "ControllerRevision", true),
		gv("discovery.k8s.io", "endpointslices", "EndpointSlice", true),
		gv("storage.k8s.io", "storageclasses", "StorageClass", false),
		gv("networking.k8s.io", "ingresses", "Ingress", true),
		gv("networking.k8s.io", "ingressclasses", "IngressClass", false),
		gv("coordination.k8s.io", "leases", "Lease", true),
	}
}

// kindIndex resolves an ownerReference's apiVersion+kind to a Resource. It
// matches on group and kind only, so a reference written with an older version
// of a group still resolves to the version that is served.
type kindIndex map[schema.GroupKind]Resource

func newKindIndex(resources []Resource) kindIndex {
	idx := make(kindIndex, len(resources))
	for _, r := range resources {
		idx[schema.GroupKind{Group: r.GVR.Group, Kind: r.Kind}] = r
	}
	return idx
}

// lookup returns the resource for apiVersion and kind, if it is watched.
func (k kindIndex) lookup(apiVersion, kind string) (Resource, bool) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return Resource{}, false
	}
	r, ok := k[schema.GroupKind{Group: gv.Group, Kind: kind}]
	return r, ok
}
