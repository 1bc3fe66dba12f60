package loadbalancer

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type svcOpt func(*corev1.Service)

func lb(name string, age int, opts ...svcOpt) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name,
			CreationTimestamp: metav1.NewTime(time.Unix(1000+int64(age), 0))},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func shows(ips ...string) svcOpt {
	return func(s *corev1.Service) {
		for _, ip := range ips {
			s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ip})
		}
	}
}
func requests(ip string) svcOpt { return func(s *corev1.Service) { s.Spec.LoadBalancerIP = ip } }
func pool(name string) svcOpt {
	return func(s *corev1.Service) { s.Annotations = map[string]string{AnnotationPool: name} }
}
func class(c string) svcOpt { return func(s *corev1.Service) { s.Spec.LoadBalancerClass = &c } }
func typ(t corev1.ServiceType) svcOpt {
	return func(s *corev1.Service) { s.Spec.Type = t }
}

func TestAssign(t *testing.T) {
	pools, err := ParsePools([]string{"10.0.0.1-10.0.0.3", "blue=10.0.1.1-10.0.1.2"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		svcs  []*corev1.Service
		pools Pools
		want  map[string]string // name → "ip[,ip]" or "!problem"; "" = cleared
	}{
		{name: "new services get the lowest free addresses in age order",
			svcs: []*corev1.Service{lb("b", 2), lb("a", 1), lb("c", 3)},
			want: map[string]string{"a": "10.0.0.1", "b": "10.0.0.2", "c": "10.0.0.3"}},
		{name: "shown addresses are kept, new ones fill gaps",
			svcs: []*corev1.Service{lb("a", 1, shows("10.0.0.3")), lb("b", 2)},
			want: map[string]string{"a": "10.0.0.3", "b": "10.0.0.1"}},
		{name: "a younger service showing an older one's address loses it",
			svcs: []*corev1.Service{lb("old", 1, shows("10.0.0.2")), lb("young", 2, shows("10.0.0.2"))},
			want: map[string]string{"old": "10.0.0.2", "young": "10.0.0.1"}},
		{name: "pool exhausted",
			svcs: []*corev1.Service{lb("a", 1), lb("b", 2), lb("c", 3), lb("d", 4)},
			want: map[string]string{"a": "10.0.0.1", "b": "10.0.0.2", "c": "10.0.0.3", "d": `!no available IPs in pool "default"`}},
		{name: "many services share a port on different addresses; a freed address is reused",
			svcs: []*corev1.Service{lb("a", 1, shows("10.0.0.1")), lb("c", 3, shows("10.0.0.3")), lb("d", 4)},
			want: map[string]string{"a": "10.0.0.1", "c": "10.0.0.3", "d": "10.0.0.2"}},
		{name: "spec.loadBalancerIP is honoured",
			svcs: []*corev1.Service{lb("a", 1), lb("b", 2, requests("10.0.0.1"))},
			want: map[string]string{"a": "10.0.0.2", "b": "10.0.0.1"}},
		{name: "spec.loadBalancerIP held by another service already",
			svcs: []*corev1.Service{lb("a", 1, shows("10.0.0.1")), lb("b", 2, requests("10.0.0.1"))},
			want: map[string]string{"a": "10.0.0.1", "b": "!requested IP 10.0.0.1 is already in use by Service default/a"}},
		{name: "changing spec.loadBalancerIP moves the address",
			svcs: []*corev1.Service{lb("a", 1, shows("10.0.0.1"), requests("10.0.0.3"))},
			want: map[string]string{"a": "10.0.0.3"}},
		{name: "spec.loadBalancerIP outside the pools or not an IP",
			svcs: []*corev1.Service{lb("a", 1, requests("192.168.9.9")), lb("b", 2, requests("nope"))},
			want: map[string]string{"a": "!requested IP 192.168.9.9 is not in any allowed pool", "b": `!spec.loadBalancerIP "nope" is not an IP address`}},
		{name: "spec.loadBalancerIP in another pool than the annotation's",
			svcs: []*corev1.Service{lb("a", 1, pool("blue"), requests("10.0.0.2"))},
			want: map[string]string{"a": "!requested IP 10.0.0.2 is not in any allowed pool"}},
		{name: "pool annotation picks the pool; an unknown pool is a problem",
			svcs: []*corev1.Service{lb("a", 1, pool("blue")), lb("b", 2, pool("red"), shows("10.0.0.1"))},
			want: map[string]string{"a": "10.0.1.1", "b": `!unknown pool "red" in annotation berth.dev/lb-pool`}},
		{name: "an address from another pool than the annotation's is replaced",
			svcs: []*corev1.Service{lb("a", 1, pool("blue"), shows("10.0.0.1"))},
			want: map[string]string{"a": "10.0.1.1"}},
		{name: "other classes and non-LoadBalancers are not ours; a former LoadBalancer is cleared",
			svcs: []*corev1.Service{lb("other", 1, class("example.com/lb"), shows("10.0.0.1")),
				lb("mine", 2, class(ClassName)),
				lb("np", 3, typ(corev1.ServiceTypeNodePort), shows("10.0.0.2")),
				lb("cip", 4, typ(corev1.ServiceTypeClusterIP))},
			want: map[string]string{"mine": "10.0.0.1", "np": ""}},
		{name: "no pools configured",
			pools: Pools{},
			svcs:  []*corev1.Service{lb("a", 1)},
			want:  map[string]string{"a": "!no LoadBalancer address pool is configured (berth server --lb-pool)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := pools
			if c.pools != nil {
				ps = c.pools
			}
			got := Assign(c.svcs, ps)
			rendered := map[string]string{}
			for k, d := range got {
				name := k[len("default/"):]
				switch {
				case d.Problem != "":
					rendered[name] = "!" + d.Problem
				default:
					s := ""
					for i, ip := range d.IPs {
						if i > 0 {
							s += ","
						}
						s += ip.String()
					}
					rendered[name] = s
				}
			}
			if fmt.Sprint(rendered) != fmt.Sprint(c.want) {
				t.Errorf("Assign =\n %v\nwant\n %v", rendered, c.want)
			}
		})
	}
}

func TestDecisionStatus(t *testing.T) {
	st := Decision{IPs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}.Status()
	if len(st.Ingress) != 1 || st.Ingress[0].IP != "10.0.0.1" || st.Ingress[0].IPMode == nil || *st.Ingress[0].IPMode != corev1.LoadBalancerIPModeVIP {
		t.Errorf("Status() = %+v", st)
	}
	if st := (Decision{}).Status(); len(st.Ingress) != 0 {
		t.Errorf("empty decision: %+v", st)
	}
}
