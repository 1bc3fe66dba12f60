package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestToleratesTaint(t *testing.T) {
	taint := corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name string
		tol  corev1.Toleration
		want bool
	}{
		{"equal key and value", corev1.Toleration{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}, true},
		{"empty operator means Equal", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "db"}, true},
		{"other value", corev1.Toleration{Key: "dedicated", Value: "web"}, false},
		{"other key", corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists}, false},
		{"Exists on key", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpExists}, true},
		{"Exists without key tolerates all", corev1.Toleration{Operator: corev1.TolerationOpExists}, true},
		{"other effect", corev1.Toleration{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoExecute}, false},
		{"empty effect matches any", corev1.Toleration{Key: "dedicated", Value: "db"}, true},
		{"Gt is off by default", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpGt, Value: "1"}, false},
	}
	for _, tt := range tests {
		if got := toleratesTaint(&tt.tol, &taint); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEffectiveTaints(t *testing.T) {
	own := corev1.Taint{Key: "a", Effect: corev1.TaintEffectNoSchedule}
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	unreachable := corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name string
		node *corev1.Node
		want []corev1.Taint
	}{
		{"ready keeps its taints", mkNode("n", withTaints(own)), []corev1.Taint{own}},
		{"not ready gets not-ready", mkNode("n", withTaints(own), withReady(corev1.ConditionFalse)), []corev1.Taint{own, notReady}},
		{"no condition yet counts as not ready", mkNode("n", withReady("")), []corev1.Taint{notReady}},
		{"unknown is unreachable", mkNode("n", withReady(corev1.ConditionUnknown)), []corev1.Taint{unreachable}},
		{"not added twice", mkNode("n", withTaints(notReady), withReady(corev1.ConditionFalse)), []corev1.Taint{notReady}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, effectiveTaints(tt.node)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFirstUntoleratedAndPreferNoSchedule(t *testing.T) {
	taints := []corev1.Taint{
		{Key: "soft", Effect: corev1.TaintEffectPreferNoSchedule},
		{Key: "hard", Value: "x", Effect: corev1.TaintEffectNoSchedule},
		{Key: "evict", Effect: corev1.TaintEffectNoExecute},
	}
	got, found := firstUntolerated(mkPod("p"), taints)
	if !found || got.Key != "hard" {
		t.Errorf("first untolerated = %v, %v; want hard (PreferNoSchedule does not filter)", got, found)
	}
	p := mkPod("p", tolerations(corev1.Toleration{Key: "hard", Operator: corev1.TolerationOpExists}))
	if got, _ := firstUntolerated(p, taints); got == nil || got.Key != "evict" {
		t.Errorf("with hard tolerated: %v, want evict", got)
	}
	p = mkPod("p", tolerations(corev1.Toleration{Operator: corev1.TolerationOpExists}))
	if _, found := firstUntolerated(p, taints); found {
		t.Error("tolerate-everything pod blocked")
	}

	if n := intolerablePreferNoSchedule(mkPod("p"), taints); n != 1 {
		t.Errorf("intolerable PreferNoSchedule = %d, want 1", n)
	}
	// A toleration aimed at NoSchedule does not cover PreferNoSchedule.
	p = mkPod("p", tolerations(corev1.Toleration{Key: "soft", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}))
	if n := intolerablePreferNoSchedule(p, taints); n != 1 {
		t.Errorf("NoSchedule toleration: %d, want 1", n)
	}
	p = mkPod("p", tolerations(corev1.Toleration{Key: "soft", Operator: corev1.TolerationOpExists}))
	if n := intolerablePreferNoSchedule(p, taints); n != 0 {
		t.Errorf("tolerated: %d, want 0", n)
	}
}
