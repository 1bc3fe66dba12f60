package podproxy

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestAgentHostPort(t *testing.T) {
	addr := func(typ corev1.NodeAddressType, a string) corev1.NodeAddress {
		return corev1.NodeAddress{Type: typ, Address: a}
	}
	node := func(port int32, addrs ...corev1.NodeAddress) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}
		n.Status.Addresses = addrs
		n.Status.DaemonEndpoints.KubeletEndpoint.Port = port
		return n
	}
	cases := []struct {
		name    string
		node    *corev1.Node
		want    string
		wantErr bool
	}{
		{"internal IP first", node(10250, addr(corev1.NodeHostName, "n1"), addr(corev1.NodeExternalIP, "1.2.3.4"), addr(corev1.NodeInternalIP, "10.0.0.1")), "10.0.0.1:10250", false},
		{"custom port", node(4321, addr(corev1.NodeInternalIP, "127.0.0.1")), "127.0.0.1:4321", false},
		{"default port", node(0, addr(corev1.NodeInternalIP, "10.0.0.1")), "10.0.0.1:10250", false},
		{"IPv6", node(10250, addr(corev1.NodeInternalIP, "fd00::1")), "[fd00::1]:10250", false},
		{"hostname when no IP", node(10250, addr(corev1.NodeExternalIP, "1.2.3.4"), addr(corev1.NodeHostName, "n1")), "n1:10250", false},
		{"external IP last", node(10250, addr(corev1.NodeExternalIP, "1.2.3.4")), "1.2.3.4:10250", false},
		{"empty address skipped", node(10250, addr(corev1.NodeInternalIP, ""), addr(corev1.NodeExternalIP, "1.2.3.4")), "1.2.3.4:10250", false},
		{"no address", node(10250), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := AgentHostPort(c.node)
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestResolveContainer(t *testing.T) {
	pod := func(containers ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
		for _, c := range containers {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		}
		return p
	}
	withInit := pod("app", "side")
	withInit.Spec.InitContainers = []corev1.Container{{Name: "init"}}
	withInit.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug"}}}
	cases := []struct {
		name, requested string
		pod             *corev1.Pod
		want, errText   string
	}{
		{"only container by default", "", pod("app"), "app", ""},
		{"named", "side", pod("app", "side"), "side", ""},
		{"init container", "init", withInit, "init", ""},
		{"ephemeral container", "debug", withInit, "debug", ""},
		{"must choose", "", withInit, "", "a container name must be specified for pod web, choose one of: [app side] or one of the init containers: [init]"},
		{"no containers", "", pod(), "", "a container name must be specified for pod web"},
		{"unknown", "db", pod("app"), "", "container db is not valid for pod web"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := resolveContainer(c.pod, c.requested)
			if c.errText != "" {
				if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), c.errText) {
					t.Fatalf("err = %v, want BadRequest %q", err, c.errText)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestRequireRunning(t *testing.T) {
	cases := []struct {
		phase   corev1.PodPhase
		errText string
	}{
		{corev1.PodRunning, ""},
		{corev1.PodSucceeded, "cannot exec into a container in a completed pod; current phase is Succeeded"},
		{corev1.PodFailed, "cannot exec into a container in a completed pod; current phase is Failed"},
		{corev1.PodPending, "cannot exec into a container in pod web: it is not running; current phase is Pending"},
	}
	for _, c := range cases {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Status: corev1.PodStatus{Phase: c.phase}}
		err := requireRunning(pod, "exec into a container")
		if c.errText == "" && err != nil || c.errText != "" && (!apierrors.IsBadRequest(err) || err.Error() != c.errText) {
			t.Errorf("%s: err = %v, want %q", c.phase, err, c.errText)
		}
	}
}

func TestValidateLogOptions(t *testing.T) {
	now := metav1.Now()
	cases := []struct {
		name string
		o    corev1.PodLogOptions
		errs int
	}{
		{"empty", corev1.PodLogOptions{}, 0},
		{"fine", corev1.PodLogOptions{TailLines: ptr[int64](0), LimitBytes: ptr[int64](1), SinceSeconds: ptr[int64](1)}, 0},
		{"negative tail", corev1.PodLogOptions{TailLines: ptr[int64](-1)}, 1},
		{"zero limit", corev1.PodLogOptions{LimitBytes: ptr[int64](0)}, 1},
		{"zero since", corev1.PodLogOptions{SinceSeconds: ptr[int64](0)}, 1},
		{"both sinces", corev1.PodLogOptions{SinceSeconds: ptr[int64](5), SinceTime: &now}, 1},
	}
	for _, c := range cases {
		if errs := validateLogOptions(&c.o); len(errs) != c.errs {
			t.Errorf("%s: %v", c.name, errs)
		}
	}
}
