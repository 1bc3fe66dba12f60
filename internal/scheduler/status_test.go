package scheduler

import (
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestResponsible(t *testing.T) {
	now := metav1.Now()
	deleting := mkPod("p")
	deleting.DeletionTimestamp = &now
	other := mkPod("p")
	other.Spec.SchedulerName = "my-scheduler"
	unnamed := mkPod("p")
	unnamed.Spec.SchedulerName = ""
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"pending", mkPod("p"), true},
		{"scheduler name left empty", unnamed, true},
		{"already has a node", mkPod("p", onNode("n")), false},
		{"another scheduler's", other, false},
		{"being deleted", deleting, false},
		{"succeeded", mkPod("p", phase(corev1.PodSucceeded)), false},
		{"failed", mkPod("p", phase(corev1.PodFailed)), false},
	}
	for _, tt := range tests {
		if got := responsible(tt.pod, DefaultSchedulerName); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if !responsible(other, "my-scheduler") {
		t.Error("a second scheduler should serve its own pods")
	}
}

func TestNotScheduledCondition(t *testing.T) {
	then := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(then.Add(time.Hour))
	with := func(c ...corev1.PodCondition) *corev1.Pod {
		p := mkPod("p")
		p.Status.Conditions = c
		return p
	}
	cond := func(s corev1.ConditionStatus, reason, msg string) corev1.PodCondition {
		return corev1.PodCondition{Type: corev1.PodScheduled, Status: s, Reason: reason, Message: msg, LastTransitionTime: then}
	}
	tests := []struct {
		name       string
		pod        *corev1.Pod
		wantWrite  bool
		wantTransT metav1.Time
	}{
		{"no condition yet", with(), true, now},
		{"same already", with(cond(corev1.ConditionFalse, "Unschedulable", "msg")), false, metav1.Time{}},
		{"new message keeps the transition time", with(cond(corev1.ConditionFalse, "Unschedulable", "old")), true, then},
		{"from gated: reason changes, status does not", with(cond(corev1.ConditionFalse, "SchedulingGated", "x")), true, then},
		{"other conditions are ignored", with(corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse}), true, now},
	}
	for _, tt := range tests {
		got, write := notScheduledCondition(tt.pod, "Unschedulable", "msg", now)
		if write != tt.wantWrite {
			t.Errorf("%s: write = %v, want %v", tt.name, write, tt.wantWrite)
			continue
		}
		if !write {
			continue
		}
		if got.Type != corev1.PodScheduled || got.Status != corev1.ConditionFalse || got.Reason != "Unschedulable" || got.Message != "msg" {
			t.Errorf("%s: condition %+v", tt.name, got)
		}
		if !got.LastTransitionTime.Equal(&tt.wantTransT) {
			t.Errorf("%s: transition %v, want %v", tt.name, got.LastTransitionTime, tt.wantTransT)
		}
	}
}

func TestConditionPatch(t *testing.T) {
	body, err := conditionPatch("uid-1", corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"})
	if err != nil {
		t.Fatal(err)
	}
	var got corev1.Pod
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.UID != "uid-1" || len(got.Status.Conditions) != 1 || got.Status.Conditions[0].Reason != "Unschedulable" {
		t.Errorf("patch = %s", body)
	}
}

func TestNodeSchedulingChanged(t *testing.T) {
	base := mkNode("n")
	tests := []struct {
		name   string
		change func(*corev1.Node)
		want   bool
	}{
		{"heartbeat only", func(n *corev1.Node) {
			n.Status.Conditions[0].LastHeartbeatTime = metav1.Now()
		}, false},
		{"became ready/not ready", func(n *corev1.Node) { n.Status.Conditions[0].Status = corev1.ConditionFalse }, true},
		{"cordoned", cordoned, true},
		{"label", func(n *corev1.Node) { n.Labels["zone"] = "a" }, true},
		{"taint", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}}
		}, true},
		{"allocatable", func(n *corev1.Node) { n.Status.Allocatable = rl("cpu", "8", "pods", "110") }, true},
	}
	for _, tt := range tests {
		n := base.DeepCopy()
		tt.change(n)
		if got := nodeSchedulingChanged(base, n); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
