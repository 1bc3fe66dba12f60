package agent

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestProbeDecision(t *testing.T) {
	p := &corev1.Probe{SuccessThreshold: 1, FailureThreshold: 3}
	tests := []struct {
		ok           bool
		okN, failN   int
		wantOK, want bool
	}{
		{true, 1, 0, true, false},
		{false, 0, 1, false, false},
		{false, 0, 3, false, true},
	}
	for i, tc := range tests {
		gotOK, gotFail := probeDecision(p, tc.ok, tc.okN, tc.failN)
		if gotOK != tc.wantOK || gotFail != tc.want {
			t.Errorf("%d: %v %v", i, gotOK, gotFail)
		}
	}
}

func TestResolvePort(t *testing.T) {
	c := &corev1.Container{Name: "c", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}
	if p, err := resolvePort(intstr.FromString("http"), c); err != nil || p != 8080 {
		t.Fatalf("%d %v", p, err)
	}
	if p, _ := resolvePort(intstr.FromInt32(81), c); p != 81 {
		t.Fatal(p)
	}
	if _, err := resolvePort(intstr.FromString("nope"), c); err == nil {
		t.Fatal("unknown port name accepted")
	}
}

func TestRuncIDRoundTrip(t *testing.T) {
	id := runcID("0f4c-11", "web", 3)
	uid, name, attempt, ok := parseRuncID(id)
	if !ok || uid != "0f4c-11" || name != "web" || attempt != 3 {
		t.Fatalf("%s → %s %s %d %v", id, uid, name, attempt, ok)
	}
}
