package dns

import (
	"fmt"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

func svc(ns, name, clusterIP string, ports ...corev1.ServicePort) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{ClusterIP: clusterIP, Ports: ports},
	}
	if clusterIP != "" && clusterIP != corev1.ClusterIPNone {
		s.Spec.ClusterIPs = []string{clusterIP}
	}
	return s
}

func port(name string, proto corev1.Protocol, n int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Protocol: proto, Port: n}
}

type ep struct {
	ip, host string
	notReady bool
}

func slice(ns, svcName, name string, ports []discoveryv1.EndpointPort, eps ...ep) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: svcName}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       ports,
	}
	for _, e := range eps {
		ready := !e.notReady
		x := discoveryv1.Endpoint{Addresses: []string{e.ip}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}
		if a := netip.MustParseAddr(e.ip); a.Is6() {
			s.AddressType = discoveryv1.AddressTypeIPv6
		}
		if e.host != "" {
			h := e.host
			x.Hostname = &h
		}
		s.Endpoints = append(s.Endpoints, x)
	}
	return s
}

func slicePort(name string, proto corev1.Protocol, n int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &n}
}

func testPod(ns, name, ip string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}},
	}
}

func merge(a, b cache.Indexers) cache.Indexers {
	out := cache.Indexers{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// newView fills indexers, as the informers would, with objs.
func newView(objs ...runtime.Object) *indexView {
	ns := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	v := &indexView{
		services: cache.NewIndexer(cache.MetaNamespaceKeyFunc, merge(ns, serviceIndexers())),
		slices:   cache.NewIndexer(cache.MetaNamespaceKeyFunc, merge(ns, sliceIndexers())),
		pods:     cache.NewIndexer(cache.MetaNamespaceKeyFunc, merge(ns, podIndexers())),
	}
	for _, o := range objs {
		var err error
		switch o.(type) {
		case *corev1.Service:
			err = v.services.Add(o)
		case *discoveryv1.EndpointSlice:
			err = v.slices.Add(o)
		case *corev1.Pod:
			err = v.pods.Add(o)
		default:
			err = fmt.Errorf("unexpected %T", o)
		}
		if err != nil {
			panic(err)
		}
	}
	return v
}

// rrs renders records in presentation format with single spaces.
func rrs(list []mdns.RR) []string {
	var out []string
	for _, rr := range list {
		if rr.Header().Rrtype == mdns.TypeOPT {
			continue
		}
		out = append(out, strings.Join(strings.Fields(rr.String()), " "))
	}
	return out
}

// specObjects are the objects behind the specification's examples (zone
// cluster.local), and a few more.
func specObjects() []runtime.Object {
	https := port("https", corev1.ProtocolTCP, 443)
	return []runtime.Object{
		svc("default", "kubernetes", "10.3.0.1", https),
		svc("default", "headless", corev1.ClusterIPNone, https),
		slice("default", "headless", "headless-a", []discoveryv1.EndpointPort{slicePort("https", corev1.ProtocolTCP, 8443)},
			ep{ip: "10.3.0.100", host: "my-pet"}, ep{ip: "10.3.0.3"}, ep{ip: "10.3.0.4", notReady: true}),
		slice("default", "headless", "headless-b", []discoveryv1.EndpointPort{slicePort("https", corev1.ProtocolTCP, 8443)},
			ep{ip: "10.3.0.101", host: "my-pet-2"}, ep{ip: "10.3.0.100", host: "my-pet"}),
		func() runtime.Object {
			s := svc("default", "foo", "")
			s.Spec.Type, s.Spec.ExternalName = corev1.ServiceTypeExternalName, "www.example.com"
			return s
		}(),
		func() runtime.Object {
			s := svc("default", "dual", "10.3.0.5", port("dns", corev1.ProtocolUDP, 53), port("", corev1.ProtocolTCP, 80))
			s.Spec.ClusterIPs = []string{"10.3.0.5", "fd00::5"}
			return s
		}(),
		svc("default", "empty", corev1.ClusterIPNone, https),
		slice("default", "empty", "empty-a", nil, ep{ip: "10.3.0.7", notReady: true}),
		svc("other", "x", "10.3.0.6"),
	}
}
