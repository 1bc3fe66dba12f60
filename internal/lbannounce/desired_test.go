package lbannounce

import (
	"fmt"
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func svc(name string, etpLocal bool, ips ...string) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster}}
	if etpLocal {
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
	}
	for _, ip := range ips {
		s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return s
}

func slice(service, node string, ready bool) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: service + "-x", Labels: map[string]string{discoveryv1.LabelServiceName: service}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.42.0.5"}, NodeName: &node,
			Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
	}
}

func TestDesired(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}
	excluded := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{LabelExcludeFromLB: ""}}}
	ifaces := []Iface{
		{Name: "eth0", Prefixes: []netip.Prefix{netip.MustParsePrefix("172.28.3.11/24")}},
		{Name: "berth0", Prefixes: []netip.Prefix{netip.MustParsePrefix("10.42.1.1/24")}},
		{Name: "dummy", Prefixes: []netip.Prefix{netip.MustParsePrefix("192.168.7.1/32")}},
	}
	other := "example.com/lb"
	classed := svc("classed", false, "172.28.3.204")
	classed.Spec.LoadBalancerClass = &other
	nodePort := svc("np", false, "172.28.3.205")
	nodePort.Spec.Type = corev1.ServiceTypeNodePort

	cases := []struct {
		name   string
		svcs   []*corev1.Service
		slices []*discoveryv1.EndpointSlice
		node   *corev1.Node
		want   string
	}{
		{name: "addresses on a node subnet, sorted",
			svcs: []*corev1.Service{svc("b", false, "172.28.3.201"), svc("a", false, "172.28.3.200")},
			want: "[172.28.3.200@eth0:default/a 172.28.3.201@eth0:default/b]"},
		{name: "no subnet holds it, or only a /32 does",
			svcs: []*corev1.Service{svc("far", false, "192.0.2.9"), svc("host", false, "192.168.7.1"), svc("own", false, "172.28.3.11")},
			want: "[]"},
		{name: "pending, other class, not a LoadBalancer",
			svcs: []*corev1.Service{svc("pending", false), classed, nodePort},
			want: "[]"},
		{name: "externalTrafficPolicy Local needs a ready local endpoint",
			svcs:   []*corev1.Service{svc("here", true, "172.28.3.200"), svc("elsewhere", true, "172.28.3.201"), svc("unready", true, "172.28.3.202")},
			slices: []*discoveryv1.EndpointSlice{slice("here", "n1", true), slice("elsewhere", "n2", true), slice("unready", "n1", false)},
			want:   "[172.28.3.200@eth0:default/here]"},
		{name: "a node excluded from load balancers announces nothing",
			svcs: []*corev1.Service{svc("a", false, "172.28.3.200")}, node: excluded,
			want: "[]"},
		{name: "the same address twice is campaigned for once; IPv6 ignored",
			svcs: []*corev1.Service{svc("a", false, "172.28.3.200", "fd00::1"), svc("b", false, "172.28.3.200")},
			want: "[172.28.3.200@eth0:default/a]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := node
			if c.node != nil {
				n = c.node
			}
			var got []string
			for _, x := range Desired(c.svcs, c.slices, n, ifaces) {
				got = append(got, fmt.Sprintf("%s@%s:%s", x.IP, x.Iface, x.Service))
			}
			if s := fmt.Sprint(got); s != c.want && !(c.want == "[]" && len(got) == 0) {
				t.Errorf("Desired = %s, want %s", s, c.want)
			}
		})
	}
	if Desired([]*corev1.Service{svc("a", false, "172.28.3.200")}, nil, nil, ifaces) != nil {
		t.Error("no Node object yet: nothing to announce")
	}
}

func TestLeaseName(t *testing.T) {
	if got := LeaseName(netip.MustParseAddr("172.28.3.200")); got != "berth-lb-172-28-3-200" {
		t.Errorf("LeaseName = %s", got)
	}
}
