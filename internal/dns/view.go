package dns

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/tools/cache"
)

// view is the cluster state the records are computed from: the informer
// caches, read through indexes. It is all the record logic sees, so tests
// fill it with plain objects.
type view interface {
	service(ns, name string) *corev1.Service
	hasServices(ns string) bool
	slicesOf(ns, svc string) []*discoveryv1.EndpointSlice
	servicesByIP(ip string) []*corev1.Service
	slicesByIP(ip string) []*discoveryv1.EndpointSlice
	// podsByIP is nil-safe: without a pod cache it finds nothing.
	podsByIP(ip string) []*corev1.Pod
}

// Index names.
const (
	indexClusterIP = "berth-dns-cluster-ip"
	indexService   = "berth-dns-service"
	indexAddress   = "berth-dns-address"
	indexPodIP     = "berth-dns-pod-ip"
)

// canonicalIP normalises an address for index keys ("" if invalid).
func canonicalIP(s string) string {
	if a, ok := parseIP(s); ok {
		return a.String()
	}
	return ""
}

func serviceIndexers() cache.Indexers {
	return cache.Indexers{
		cache.NamespaceIndex: cache.MetaNamespaceIndexFunc,
		indexClusterIP: func(obj any) ([]string, error) {
			svc, ok := obj.(*corev1.Service)
			if !ok {
				return nil, nil
			}
			var out []string
			for _, ip := range clusterIPs(svc) {
				out = append(out, ip.String())
			}
			return out, nil
		},
	}
}

func sliceIndexers() cache.Indexers {
	return cache.Indexers{
		indexService: func(obj any) ([]string, error) {
			s, ok := obj.(*discoveryv1.EndpointSlice)
			if !ok || s.Labels[discoveryv1.LabelServiceName] == "" {
				return nil, nil
			}
			return []string{s.Namespace + "/" + s.Labels[discoveryv1.LabelServiceName]}, nil
		},
		indexAddress: func(obj any) ([]string, error) {
			s, ok := obj.(*discoveryv1.EndpointSlice)
			if !ok || s.AddressType == discoveryv1.AddressTypeFQDN {
				return nil, nil
			}
			seen := map[string]bool{}
			var out []string
			for _, ep := range s.Endpoints {
				for _, a := range ep.Addresses {
					if k := canonicalIP(a); k != "" && !seen[k] {
						seen[k] = true
						out = append(out, k)
					}
				}
			}
			return out, nil
		},
	}
}

func podIndexers() cache.Indexers {
	return cache.Indexers{
		indexPodIP: func(obj any) ([]string, error) {
			p, ok := obj.(*corev1.Pod)
			if !ok || p.Spec.HostNetwork {
				return nil, nil
			}
			seen := map[string]bool{}
			var out []string
			add := func(s string) {
				if k := canonicalIP(s); k != "" && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
			add(p.Status.PodIP)
			for _, ip := range p.Status.PodIPs {
				add(ip.IP)
			}
			return out, nil
		},
	}
}

// indexView reads informer indexers. pods may be nil.
type indexView struct {
	services, slices, pods cache.Indexer
}

func (v *indexView) service(ns, name string) *corev1.Service {
	obj, ok, err := v.services.GetByKey(ns + "/" + name)
	if err != nil || !ok {
		return nil
	}
	svc, _ := obj.(*corev1.Service)
	return svc
}

func (v *indexView) hasServices(ns string) bool {
	keys, err := v.services.IndexKeys(cache.NamespaceIndex, ns)
	return err == nil && len(keys) > 0
}

func (v *indexView) slicesOf(ns, svc string) []*discoveryv1.EndpointSlice {
	return byIndex[*discoveryv1.EndpointSlice](v.slices, indexService, ns+"/"+svc)
}

func (v *indexView) servicesByIP(ip string) []*corev1.Service {
	return byIndex[*corev1.Service](v.services, indexClusterIP, ip)
}

func (v *indexView) slicesByIP(ip string) []*discoveryv1.EndpointSlice {
	return byIndex[*discoveryv1.EndpointSlice](v.slices, indexAddress, ip)
}

func (v *indexView) podsByIP(ip string) []*corev1.Pod {
	if v.pods == nil {
		return nil
	}
	return byIndex[*corev1.Pod](v.pods, indexPodIP, ip)
}

func byIndex[T any](idx cache.Indexer, index, key string) []T {
	objs, err := idx.ByIndex(index, key)
	if err != nil {
		return nil
	}
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		if t, ok := o.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
