package ingress

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name, ip string, ready bool) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}},
		Addresses:  []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: name}, {Type: corev1.NodeInternalIP, Address: ip}},
	}}
}

func TestDesiredServiceSlice(t *testing.T) {
	nodes := []*corev1.Node{node("n2", "172.28.0.12", true), node("n1", "172.28.0.11", true), node("n3", "172.28.0.13", false)}
	s := DesiredServiceSlice(nodes, 80, 0)
	if len(s.Endpoints) != 2 || s.Endpoints[0].Addresses[0] != "172.28.0.11" || *s.Endpoints[0].NodeName != "n1" || s.Endpoints[1].Addresses[0] != "172.28.0.12" {
		t.Errorf("endpoints: %+v", s.Endpoints)
	}
	if len(s.Ports) != 1 || *s.Ports[0].Name != "http" || *s.Ports[0].Port != 80 {
		t.Errorf("ports: %+v", s.Ports)
	}
	if s.Labels["kubernetes.io/service-name"] != ServiceName || s.Labels["endpointslice.kubernetes.io/managed-by"] != ManagedBy {
		t.Errorf("labels: %v", s.Labels)
	}
}

func TestPublishedAddresses(t *testing.T) {
	nodes := []*corev1.Node{node("n1", "172.28.0.11", true), node("n2", "172.28.0.12", false)}
	svc := &corev1.Service{}
	if got := PublishedAddresses(svc, nodes); len(got) != 1 || got[0].IP != "172.28.0.11" {
		t.Errorf("without a LoadBalancer address: %+v", got)
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "172.28.100.1"}}
	if got := PublishedAddresses(svc, nodes); len(got) != 1 || got[0].IP != "172.28.100.1" {
		t.Errorf("with a LoadBalancer address: %+v", got)
	}
	if got := PublishedAddresses(nil, nil); len(got) != 0 {
		t.Errorf("nothing: %+v", got)
	}
}
