package nodelifecycle

import (
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func nodeWithReady(status corev1.ConditionStatus, beat time.Time, taints ...corev1.Taint) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{Taints: taints}}
	if status != "" {
		n.Status.Conditions = []corev1.NodeCondition{
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: metav1.NewTime(beat)},
			{Type: corev1.NodeReady, Status: status, Reason: "KubeletReady", LastHeartbeatTime: metav1.NewTime(beat)},
		}
	}
	return n
}

func leaseAt(ts time.Time) *coordinationv1.Lease {
	mt := metav1.NewMicroTime(ts)
	return &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{RenewTime: &mt}}
}

func TestObserve(t *testing.T) {
	n := nodeWithReady(corev1.ConditionTrue, at(0))
	first := observe(nil, n, leaseAt(at(0)), at(1))
	if !first.observed.Equal(at(1)) {
		t.Fatalf("first sighting observed %v, want now", first.observed)
	}
	same := observe(&first, n, leaseAt(at(0)), at(30))
	if !same.observed.Equal(at(1)) {
		t.Fatalf("nothing renewed: observed %v, want unchanged", same.observed)
	}
	renewed := observe(&same, n, leaseAt(at(29)), at(31))
	if !renewed.observed.Equal(at(31)) {
		t.Fatalf("lease renewed: observed %v, want now", renewed.observed)
	}
	statusOnly := observe(&renewed, nodeWithReady(corev1.ConditionTrue, at(40)), leaseAt(at(29)), at(41))
	if !statusOnly.observed.Equal(at(41)) {
		t.Fatalf("status heartbeat: observed %v, want now", statusOnly.observed)
	}
	noLease := observe(nil, n, nil, at(2))
	if !noLease.observed.Equal(at(2)) {
		t.Fatalf("no lease: observed %v", noLease.observed)
	}
}

func TestUnknownConditions(t *testing.T) {
	grace := 40 * time.Second
	tests := []struct {
		name     string
		node     *corev1.Node
		observed time.Time
		now      time.Time
		want     map[corev1.NodeConditionType]string // type → status/reason; nil: no change
	}{
		{"fresh heartbeat", nodeWithReady(corev1.ConditionTrue, at(0)), at(0), at(40), nil},
		{"grace exceeded", nodeWithReady(corev1.ConditionTrue, at(0)), at(0), at(41), map[corev1.NodeConditionType]string{
			corev1.NodeReady: "Unknown/NodeStatusUnknown", corev1.NodeMemoryPressure: "Unknown/NodeStatusUnknown",
			corev1.NodeDiskPressure: "Unknown/NodeStatusNeverUpdated", corev1.NodePIDPressure: "Unknown/NodeStatusNeverUpdated"}},
		{"Ready False goes Unknown too", nodeWithReady(corev1.ConditionFalse, at(0)), at(0), at(100), map[corev1.NodeConditionType]string{
			corev1.NodeReady: "Unknown/NodeStatusUnknown"}},
		{"never posted", nodeWithReady("", at(0)), at(0), at(41), map[corev1.NodeConditionType]string{
			corev1.NodeReady: "Unknown/NodeStatusNeverUpdated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := unknownConditions(tc.node, heartbeat{observed: tc.observed}, tc.now, grace)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("want no change, got %+v", got)
				}
				return
			}
			for typ, want := range tc.want {
				i := conditionIndex(got, typ)
				if i < 0 {
					t.Fatalf("%s missing in %+v", typ, got)
				}
				if s := string(got[i].Status) + "/" + got[i].Reason; s != want {
					t.Errorf("%s = %s, want %s", typ, s, want)
				}
			}
			if r := got[conditionIndex(got, corev1.NodeReady)]; r.Reason == reasonStatusUnknown && r.Message != "Kubelet stopped posting node status." {
				t.Errorf("message %q", r.Message)
			}
			// already Unknown: nothing more to write
			n := tc.node.DeepCopy()
			n.Status.Conditions = got
			if again := unknownConditions(n, heartbeat{observed: tc.observed}, tc.now.Add(time.Minute), grace); again != nil {
				t.Fatalf("second pass changed again: %+v", again)
			}
		})
	}
}

func taint(key string, effect corev1.TaintEffect, added *time.Time) corev1.Taint {
	t := corev1.Taint{Key: key, Effect: effect}
	if added != nil {
		ts := metav1.NewTime(*added)
		t.TimeAdded = &ts
	}
	return t
}

func TestDesiredTaints(t *testing.T) {
	t5 := at(5)
	now := at(60)
	other := corev1.Taint{Key: "dedicated", Value: "x", Effect: corev1.TaintEffectNoSchedule}
	unreachNS := taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule, nil)
	unreachNE := taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute, &t5)
	unreachNEnow := taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute, &now)
	notReadyNS := taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoSchedule, nil)
	notReadyNEnow := taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute, &now)
	tests := []struct {
		name    string
		node    *corev1.Node
		want    []corev1.Taint
		changed bool
	}{
		{"ready, untainted", nodeWithReady(corev1.ConditionTrue, t0, other), []corev1.Taint{other}, false},
		{"ready again: taints go, others stay", nodeWithReady(corev1.ConditionTrue, t0, other, unreachNS, unreachNE), []corev1.Taint{other}, true},
		{"unknown: unreachable added", nodeWithReady(corev1.ConditionUnknown, t0, other), []corev1.Taint{other, unreachNS, unreachNEnow}, true},
		{"unknown, tainted: TimeAdded kept", nodeWithReady(corev1.ConditionUnknown, t0, unreachNS, unreachNE), []corev1.Taint{unreachNS, unreachNE}, false},
		{"false: not-ready replaces unreachable", nodeWithReady(corev1.ConditionFalse, t0, unreachNS, unreachNE), []corev1.Taint{notReadyNS, notReadyNEnow}, true},
		{"never posted status: left alone", nodeWithReady("", t0), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := desiredTaints(tc.node, now)
			if changed != tc.changed {
				t.Errorf("changed = %v, want %v", changed, tc.changed)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if !got[i].MatchTaint(&tc.want[i]) || !timeAddedEqual(got[i].TimeAdded, tc.want[i].TimeAdded) {
					t.Fatalf("taint %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func timeAddedEqual(a, b *metav1.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b)
}

func TestEvictAt(t *testing.T) {
	t10 := at(10)
	unreach := taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute, &t10)
	notReadyNS := taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoSchedule, &t10)
	secs := func(v int64) *int64 { return &v }
	tol := func(key string, s *int64) corev1.Toleration {
		return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s}
	}
	pod := func(tols ...corev1.Toleration) *corev1.Pod {
		return &corev1.Pod{Spec: corev1.PodSpec{Tolerations: tols}}
	}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		taints []corev1.Taint
		want   time.Time
		ok     bool
	}{
		{"no NoExecute taint", pod(), []corev1.Taint{notReadyNS}, time.Time{}, false},
		{"not tolerated: at once", pod(), []corev1.Taint{unreach}, at(10), true},
		{"other key tolerated only: at once", pod(tol(corev1.TaintNodeNotReady, secs(300))), []corev1.Taint{unreach}, at(10), true},
		{"tolerated 5s", pod(tol(corev1.TaintNodeUnreachable, secs(5))), []corev1.Taint{unreach}, at(15), true},
		{"tolerated forever", pod(tol(corev1.TaintNodeUnreachable, nil)), []corev1.Taint{unreach}, time.Time{}, false},
		{"the shorter of two", pod(tol(corev1.TaintNodeUnreachable, secs(300)), tol("", secs(7))), []corev1.Taint{unreach}, at(17), true},
		{"bounded wins over forever", pod(tol(corev1.TaintNodeUnreachable, nil), tol(corev1.TaintNodeUnreachable, secs(3))), []corev1.Taint{unreach}, at(13), true},
		{"negative seconds: at once", pod(tol(corev1.TaintNodeUnreachable, secs(-1))), []corev1.Taint{unreach}, at(10), true},
		{"tolerate everything forever", pod(corev1.Toleration{Operator: corev1.TolerationOpExists}), []corev1.Taint{unreach}, time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := evictAt(tc.pod, tc.taints)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Fatalf("evictAt = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPodsToMarkNotReady(t *testing.T) {
	mk := func(name string, phase corev1.PodPhase, ready corev1.ConditionStatus) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{Phase: phase}}
		if ready != "" {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
		}
		return p
	}
	got := podsToMarkNotReady([]*corev1.Pod{
		mk("ready", corev1.PodRunning, corev1.ConditionTrue),
		mk("already-false", corev1.PodRunning, corev1.ConditionFalse),
		mk("done", corev1.PodSucceeded, corev1.ConditionTrue),
		mk("no-condition", corev1.PodPending, ""),
	})
	if len(got) != 1 || got[0].Name != "ready" {
		t.Fatalf("got %v", got)
	}
}
