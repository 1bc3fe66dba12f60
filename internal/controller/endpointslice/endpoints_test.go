package endpointslice

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ips summarises subsets as "ready|notReady|ports" strings.
func summary(subsets []corev1.EndpointSubset) []string {
	var out []string
	for _, ss := range subsets {
		s := ""
		for _, a := range ss.Addresses {
			s += a.IP + " "
		}
		s += "|"
		for _, a := range ss.NotReadyAddresses {
			s += a.IP + " "
		}
		s += "|"
		for _, p := range ss.Ports {
			s += fmt.Sprintf("%s:%d ", p.Name, p.Port)
		}
		out = append(out, s)
	}
	return out
}

func TestEndpointsSubsets(t *testing.T) {
	twoPorts := func(s *corev1.Service) {
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "metrics", Port: 9100, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("metrics")})
	}
	withMetrics := func(p *corev1.Pod) {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: 9100, Protocol: corev1.ProtocolTCP})
	}
	tests := []struct {
		name string
		svc  *corev1.Service
		pods []*corev1.Pod
		want []string
	}{
		{"ready and not ready", service("web"), []*corev1.Pod{
			pod("b", "10.42.0.2", notReady), pod("a", "10.42.0.1"), pod("c", "10.42.0.10"),
		}, []string{"10.42.0.1 10.42.0.10 |10.42.0.2 |http:8080 "}},
		{"terminating pods are left out", service("web"), []*corev1.Pod{
			pod("a", "10.42.0.1"), pod("b", "10.42.0.2", terminatingPod),
		}, []string{"10.42.0.1 ||http:8080 "}},
		{"publishNotReadyAddresses", service("web", publishNotReady), []*corev1.Pod{
			pod("a", "10.42.0.1", notReady), pod("b", "10.42.0.2", terminatingPod),
		}, []string{"10.42.0.1 10.42.0.2 ||http:8080 "}},
		{"ports with the same addresses share a subset", service("web", twoPorts), []*corev1.Pod{
			pod("a", "10.42.0.1", withMetrics), pod("b", "10.42.0.2", withMetrics),
		}, []string{"10.42.0.1 10.42.0.2 ||http:8080 metrics:9100 "}},
		{"a port only some pods have", service("web", twoPorts), []*corev1.Pod{
			pod("a", "10.42.0.1", withMetrics), pod("b", "10.42.0.2"),
		}, []string{"10.42.0.1 10.42.0.2 ||http:8080 ", "10.42.0.1 ||metrics:9100 "}},
		{"headless without ports", service("db", headlessSvc, func(s *corev1.Service) { s.Spec.Ports = nil }), []*corev1.Pod{
			pod("a", "10.42.0.1"),
		}, []string{"10.42.0.1 ||"}},
		{"no pods", service("web"), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summary(endpointsSubsets(tt.svc, tt.pods))); diff != "" {
				t.Errorf("subsets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndpointsAddressFields(t *testing.T) {
	got := endpointsSubsets(service("db"), []*corev1.Pod{pod("db-0", "10.42.0.1", hostname("db-0", "db"))})
	node := "node-a"
	want := corev1.EndpointAddress{IP: "10.42.0.1", Hostname: "db-0", NodeName: &node,
		TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "db-0", UID: "uid-db-0"}}
	if diff := cmp.Diff(want, got[0].Addresses[0]); diff != "" {
		t.Errorf("address (-want +got):\n%s", diff)
	}
}

func TestTruncateSubsets(t *testing.T) {
	mk := func(ready, notReady int) corev1.EndpointSubset {
		var ss corev1.EndpointSubset
		for i := range ready {
			ss.Addresses = append(ss.Addresses, corev1.EndpointAddress{IP: fmt.Sprintf("10.0.0.%d", i)})
		}
		for i := range notReady {
			ss.NotReadyAddresses = append(ss.NotReadyAddresses, corev1.EndpointAddress{IP: fmt.Sprintf("10.1.0.%d", i)})
		}
		return ss
	}
	tests := []struct {
		name      string
		in        []corev1.EndpointSubset
		limit     int
		want      [][2]int // ready, notReady per subset
		truncated bool
	}{
		{"under", []corev1.EndpointSubset{mk(3, 2)}, 10, [][2]int{{3, 2}}, false},
		{"not ready dropped first", []corev1.EndpointSubset{mk(6, 6)}, 10, [][2]int{{6, 4}}, true},
		{"ready over the limit", []corev1.EndpointSubset{mk(8, 2), mk(8, 0)}, 10, [][2]int{{5, 0}, {5, 0}}, true},
		{"proportional", []corev1.EndpointSubset{mk(0, 9), mk(0, 3)}, 8, [][2]int{{0, 6}, {0, 2}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, truncated := truncateSubsets(tt.in, tt.limit)
			var got [][2]int
			total := 0
			for _, ss := range out {
				got = append(got, [2]int{len(ss.Addresses), len(ss.NotReadyAddresses)})
				total += len(ss.Addresses) + len(ss.NotReadyAddresses)
			}
			if truncated != tt.truncated || total > tt.limit {
				t.Errorf("truncated %v total %d", truncated, total)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sizes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDesiredEndpoints(t *testing.T) {
	svc := service("web", svcLabels(map[string]string{"app": "web"}))
	ps := []*corev1.Pod{pod("a", "10.42.0.1")}
	want, write := desiredEndpoints(svc, ps, nil)
	if !write || want.Name != "web" || want.Namespace != "default" || want.Labels["app"] != "web" {
		t.Fatalf("new endpoints: write %v %+v", write, want.ObjectMeta)
	}
	if _, write := desiredEndpoints(svc, ps, want); write {
		t.Error("unchanged endpoints written again")
	}
	if _, write := desiredEndpoints(svc, append(ps, pod("b", "10.42.0.2")), want); !write {
		t.Error("a new pod does not change the endpoints")
	}
	hl, _ := desiredEndpoints(service("db", headlessSvc), ps, nil)
	if _, ok := hl.Labels[corev1.IsHeadlessService]; !ok {
		t.Errorf("headless label missing: %v", hl.Labels)
	}
	var many []*corev1.Pod
	for i := range 1200 {
		many = append(many, pod(fmt.Sprintf("p%d", i), fmt.Sprintf("10.42.%d.%d", i/200, i%200+1)))
	}
	big, _ := desiredEndpoints(svc, many, nil)
	if big.Annotations[corev1.EndpointsOverCapacity] != "truncated" || len(big.Subsets[0].Addresses) != maxEndpointsCapacity {
		t.Errorf("over capacity: annotations %v", big.Annotations)
	}
	small, write := desiredEndpoints(svc, ps, big)
	if !write || small.Annotations[corev1.EndpointsOverCapacity] != "" {
		t.Errorf("annotation not removed below capacity: %v", small.Annotations)
	}
}
