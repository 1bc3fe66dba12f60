package proxy

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func names(cs []*Chain) []string {
	var out []string
	for _, c := range cs {
		out = append(out, hashInName.ReplaceAllString(c.Name, "$1-"))
	}
	return out
}

func TestDiffNoChange(t *testing.T) {
	a := Desired(sampleServices(), sampleSlices(), sampleNode(), Options{})
	b := Desired(sampleServices(), sampleSlices(), sampleNode(), Options{})
	if ch := diff(a, b); !ch.empty() {
		t.Errorf("same input, non-empty change: %+v", ch)
	}
}

// TestDiffEndpointRemoved: going from two endpoints to one rewrites only
// the service chain and deletes one endpoint chain; no map changes.
func TestDiffEndpointRemoved(t *testing.T) {
	svcs := []*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts)}
	two := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, localEP, remoteEP)}
	one := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, localEP)}
	ch := diff(Desired(svcs, two, sampleNode(), Options{}), Desired(svcs, one, sampleNode(), Options{}))
	if got := names(ch.ChangedChains); !slices.Equal(got, []string{"svc-ns/web/tcp/http"}) {
		t.Errorf("changed chains %v", got)
	}
	if len(ch.NewChains) != 0 || len(ch.AddElements) != 0 || len(ch.DelElements) != 0 {
		t.Errorf("unexpected: new %v add %v del %v", names(ch.NewChains), ch.AddElements, ch.DelElements)
	}
	if len(ch.GoneChains) != 1 || hashInName.ReplaceAllString(ch.GoneChains[0], "$1-") != "ep-ns/web/tcp/http__10.42.1.9/8080" {
		t.Errorf("gone chains %v", ch.GoneChains)
	}
}

// TestDiffLastEndpointGone: the map element moves from service-ips to
// no-endpoint-services, and the chains go.
func TestDiffLastEndpointGone(t *testing.T) {
	svcs := []*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts)}
	one := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, localEP)}
	ch := diff(Desired(svcs, one, sampleNode(), Options{}), Desired(svcs, nil, sampleNode(), Options{}))
	if len(ch.DelElements[mapServiceIPs]) != 1 || len(ch.AddElements[mapNoEndpointServices]) != 1 {
		t.Errorf("elements: del %v add %v", ch.DelElements, ch.AddElements)
	}
	if len(ch.GoneChains) != 2 {
		t.Errorf("gone chains %v", ch.GoneChains)
	}
}

// TestDiffVerdictChanged: a key whose verdict changes is deleted and added.
func TestDiffVerdictChanged(t *testing.T) {
	svcs := []*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts, itpLocal)}
	local := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, localEP, remoteEP)}
	remote := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, remoteEP)}
	ch := diff(Desired(svcs, local, sampleNode(), Options{}), Desired(svcs, remote, sampleNode(), Options{}))
	if len(ch.DelElements[mapServiceIPs]) != 1 || len(ch.AddElements[mapNoEndpointServices]) != 1 {
		t.Errorf("elements: del %v add %v", ch.DelElements, ch.AddElements)
	}
}

// TestDiffAffinityTimeoutChanged: a re-created set forces the chains using
// it to be rewritten (the kernel will not delete a referenced set).
func TestDiffAffinityTimeoutChanged(t *testing.T) {
	eps := []*discoveryv1.EndpointSlice{slice("ns", "web", "w", httpSlice, localEP)}
	a := Desired([]*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts, affinity(60))}, eps, sampleNode(), Options{})
	b := Desired([]*corev1.Service{service("ns", "web", "10.43.0.10", httpPorts, affinity(120))}, eps, sampleNode(), Options{})
	ch := diff(a, b)
	if len(ch.RecreatedSets) != 1 {
		t.Fatalf("recreated sets %v", ch.RecreatedSets)
	}
	if got := names(ch.ChangedChains); !slices.Equal(got, []string{"ep-ns/web/tcp/http__10.42.0.7/8080", "svc-ns/web/tcp/http"}) &&
		!slices.Equal(got, []string{"svc-ns/web/tcp/http", "ep-ns/web/tcp/http__10.42.0.7/8080"}) {
		t.Errorf("changed chains %v", got)
	}
}

func TestStaleUDP(t *testing.T) {
	ap := netip.MustParseAddrPort
	svcs := []*corev1.Service{service("ns", "dns", "10.43.0.10", []corev1.ServicePort{udpSvcPort("dns", 53)}, nodePortType(30053))}
	two := []*discoveryv1.EndpointSlice{slice("ns", "dns", "d", []discoveryv1.EndpointPort{slicePortUDP("dns", 5353)}, localEP, remoteEP)}
	one := []*discoveryv1.EndpointSlice{slice("ns", "dns", "d", []discoveryv1.EndpointPort{slicePortUDP("dns", 5353)}, localEP)}
	node := sampleNode()
	st := staleUDP(Desired(svcs, two, node, Options{}).udp, Desired(svcs, one, node, Options{}).udp)
	if !slices.Equal(st.Endpoints, []netip.AddrPort{ap("10.42.1.9:5353")}) || len(st.Frontends) != 0 {
		t.Errorf("endpoint removed: %+v", st)
	}
	st = staleUDP(Desired(svcs, nil, node, Options{}).udp, Desired(svcs, one, node, Options{}).udp)
	if !slices.Equal(st.Frontends, []netip.AddrPort{ap("10.43.0.10:53")}) || !slices.Equal(st.NodePorts, []uint16{30053}) {
		t.Errorf("first endpoint: %+v", st)
	}
	if st := staleUDP(nil, Desired(svcs, one, node, Options{}).udp); !st.empty() {
		t.Errorf("no previous state: %+v", st)
	}
}
