package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestPodHostPorts(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	pod := mkPod("p", hostPorts(
		corev1.ContainerPort{ContainerPort: 80, HostPort: 8080},
		corev1.ContainerPort{ContainerPort: 53, HostPort: 53, Protocol: corev1.ProtocolUDP, HostIP: "10.0.0.1"},
		corev1.ContainerPort{ContainerPort: 9090}, // no host port
	))
	pod.Spec.InitContainers = []corev1.Container{
		{Name: "once", Ports: []corev1.ContainerPort{{ContainerPort: 1, HostPort: 1}}},
		{Name: "sidecar", RestartPolicy: &always, Ports: []corev1.ContainerPort{{ContainerPort: 2, HostPort: 2}}},
	}
	want := []hostPort{{"", "TCP", 2}, {"", "TCP", 8080}, {"10.0.0.1", "UDP", 53}}
	if diff := cmp.Diff(want, podHostPorts(pod)); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}

	hostNet := mkPod("h", hostPorts(corev1.ContainerPort{ContainerPort: 443}))
	hostNet.Spec.HostNetwork = true
	if diff := cmp.Diff([]hostPort{{"", "TCP", 443}}, podHostPorts(hostNet)); diff != "" {
		t.Errorf("host network (-want +got):\n%s", diff)
	}
}

func TestPortConflicts(t *testing.T) {
	tests := []struct {
		name string
		a, b hostPort
		want bool
	}{
		{"same everything", hostPort{"", "TCP", 80}, hostPort{"", "TCP", 80}, true},
		{"other port", hostPort{"", "TCP", 80}, hostPort{"", "TCP", 81}, false},
		{"other protocol", hostPort{"", "TCP", 53}, hostPort{"", "UDP", 53}, false},
		{"different specific IPs", hostPort{"10.0.0.1", "TCP", 80}, hostPort{"10.0.0.2", "TCP", 80}, false},
		{"same specific IP", hostPort{"10.0.0.1", "TCP", 80}, hostPort{"10.0.0.1", "TCP", 80}, true},
		{"wildcard vs specific", hostPort{"0.0.0.0", "TCP", 80}, hostPort{"10.0.0.1", "TCP", 80}, true},
		{"empty IP is the wildcard", hostPort{"10.0.0.1", "TCP", 80}, hostPort{"", "TCP", 80}, true},
	}
	for _, tt := range tests {
		if got := tt.a.conflicts(tt.b); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.b.conflicts(tt.a); got != tt.want {
			t.Errorf("%s (reversed): got %v, want %v", tt.name, got, tt.want)
		}
	}
}
