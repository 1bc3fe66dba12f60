package agent

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func podWithPolicy(p corev1.RestartPolicy) *corev1.Pod {
	return &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: p}}
}

func TestPhase(t *testing.T) {
	running := containerView{name: "a", running: true}
	ok := containerView{name: "a", exited: true, exitCode: 0}
	bad := containerView{name: "a", exited: true, exitCode: 1}
	creating := containerView{name: "a"}
	crashLoop := containerView{name: "a", restartCount: 2, waitReason: "CrashLoopBackOff"}
	tests := []struct {
		name   string
		policy corev1.RestartPolicy
		inits  []containerView
		ctrs   []containerView
		want   corev1.PodPhase
	}{
		{"creating", corev1.RestartPolicyAlways, nil, []containerView{creating}, corev1.PodPending},
		{"running", corev1.RestartPolicyAlways, nil, []containerView{running}, corev1.PodRunning},
		{"crash looping stays running", corev1.RestartPolicyAlways, nil, []containerView{crashLoop}, corev1.PodRunning},
		{"init pending", corev1.RestartPolicyAlways, []containerView{running}, []containerView{creating}, corev1.PodPending},
		{"init failed, never", corev1.RestartPolicyNever, []containerView{bad}, []containerView{creating}, corev1.PodFailed},
		{"job succeeded", corev1.RestartPolicyNever, nil, []containerView{ok}, corev1.PodSucceeded},
		{"job failed", corev1.RestartPolicyNever, nil, []containerView{bad}, corev1.PodFailed},
		{"onfailure succeeded", corev1.RestartPolicyOnFailure, nil, []containerView{ok}, corev1.PodSucceeded},
		{"one of two running", corev1.RestartPolicyNever, nil, []containerView{ok, running}, corev1.PodRunning},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := podView{pod: podWithPolicy(tc.policy), inits: tc.inits, ctrs: tc.ctrs}
			if got := v.phase(); got != tc.want {
				t.Fatalf("phase %s, want %s", got, tc.want)
			}
		})
	}
}

func TestComputePodStatus(t *testing.T) {
	now := time.Now()
	v := podView{
		pod:          podWithPolicy(corev1.RestartPolicyAlways),
		sandboxReady: true,
		ctrs: []containerView{
			{name: "a", running: true, ready: true, started: true, id: "x", restartCount: 1},
			{name: "b", waitReason: "CrashLoopBackOff", waitMsg: "back-off 10s", restartCount: 3},
		},
	}
	st := computePodStatus(v, now)
	if st.Phase != corev1.PodRunning {
		t.Fatalf("phase %s", st.Phase)
	}
	if st.ContainerStatuses[0].State.Running == nil || st.ContainerStatuses[0].ContainerID != "runc://x" {
		t.Fatalf("a: %+v", st.ContainerStatuses[0])
	}
	if w := st.ContainerStatuses[1].State.Waiting; w == nil || w.Reason != "CrashLoopBackOff" {
		t.Fatalf("b: %+v", st.ContainerStatuses[1])
	}
	for _, c := range st.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionFalse {
			t.Fatal("pod with an unready container must not be Ready")
		}
	}
	v.ctrs[1] = containerView{name: "b", running: true, ready: true}
	st = computePodStatus(v, now)
	for _, c := range st.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue {
			t.Fatal("all ready → Ready")
		}
	}
}

func TestEvictedPodStatus(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways, Containers: []corev1.Container{{Name: "c"}}}}
	msg := `Usage of EmptyDir volume "scratch" exceeds the limit "5Mi". `
	st := computePodStatus(podView{pod: pod, evicted: msg, ctrs: []containerView{{name: "c", exited: true, exitCode: 137, reason: "Error"}}}, time.Now())
	if st.Phase != corev1.PodFailed || st.Reason != "Evicted" || st.Message != msg {
		t.Fatalf("phase %s reason %q message %q", st.Phase, st.Reason, st.Message)
	}
	found := false
	for _, c := range st.Conditions {
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue && c.Reason == "TerminationByKubelet" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no DisruptionTarget condition: %+v", st.Conditions)
	}
}
