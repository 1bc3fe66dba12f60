package daemonset

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestGroupByNode(t *testing.T) {
	deleted := metav1.NewTime(t0)
	unbound := newPod(testDS("v1"), "n2", "h")
	unbound.Name = "unbound"
	gone := dpod("deleted-done", "n1", "h", 0, -1)
	gone.DeletionTimestamp = &deleted
	gone.Status.Phase = corev1.PodSucceeded
	terminating := dpod("terminating", "n1", "h", 0, -1)
	terminating.DeletionTimestamp = &deleted
	nowhere := dpod("nowhere", "", "h", 0, -1)
	got := groupByNode([]*corev1.Pod{dpod("a", "n1", "h", 0, 0), unbound, gone, terminating, nowhere})
	want := map[string][]string{"n1": {"a", "terminating"}, "n2": {"unbound"}}
	gotNames := map[string][]string{}
	for n, pods := range got {
		gotNames[n] = names(pods)
	}
	if diff := cmp.Diff(want, gotNames); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestManage(t *testing.T) {
	deleted := metav1.NewTime(t0)
	failed := func(p *corev1.Pod) *corev1.Pod { p.Status.Phase = corev1.PodFailed; return p }
	succeeded := func(p *corev1.Pod) *corev1.Pod { p.Status.Phase = corev1.PodSucceeded; return p }
	terminating := func(p *corev1.Pod) *corev1.Pod { p.DeletionTimestamp = &deleted; return p }
	unbound := func(p *corev1.Pod) *corev1.Pod {
		p.Spec.NodeName = ""
		p.Spec.Affinity = pinToNode(nil, "n1")
		return p
	}
	tainted := readyNode("n2", corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoSchedule})
	evicting := readyNode("n2", corev1.Taint{Key: "k", Effect: corev1.TaintEffectNoExecute})

	tests := []struct {
		name     string
		ds       *appsv1.DaemonSet
		nodes    []*corev1.Node
		pods     []*corev1.Pod
		create   []string
		del      []string
		failedOn []string
	}{
		{
			name:   "a pod for every node",
			nodes:  []*corev1.Node{readyNode("n2"), readyNode("n1")},
			create: []string{"n1", "n2"},
		},
		{
			name:  "nothing to do",
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("a", "n1", "h1", 0, 0)},
		},
		{
			name:  "a terminating pod blocks its replacement",
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{terminating(dpod("a", "n1", "h1", 0, 0))},
		},
		{
			name:  "an unscheduled pod counts for its node",
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{unbound(dpod("a", "n1", "h1", 0, -1))},
		},
		{
			name:  "extra pods: the oldest (bound first) stays",
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("new", "n1", "h1", 5, 0), dpod("old", "n1", "h1", 1, 0), unbound(dpod("oldest-unbound", "n1", "h1", 0, -1))},
			del:   []string{"new", "oldest-unbound"},
		},
		{
			name:     "failed pods go (with back-off), finished ones too",
			nodes:    []*corev1.Node{readyNode("n1"), readyNode("n2")},
			pods:     []*corev1.Pod{failed(dpod("f", "n1", "h1", 0, -1)), succeeded(dpod("s", "n2", "h1", 0, -1))},
			del:      []string{"s"},
			failedOn: []string{"f"},
		},
		{
			name:   "NoSchedule taint: no new pod, the old one stays",
			nodes:  []*corev1.Node{readyNode("n1"), tainted},
			pods:   []*corev1.Pod{dpod("a", "n2", "h1", 0, 0)},
			create: []string{"n1"},
		},
		{
			name:  "NoExecute taint: evicted",
			nodes: []*corev1.Node{evicting},
			pods:  []*corev1.Pod{dpod("a", "n2", "h1", 0, 0), terminating(dpod("b", "n2", "h1", 0, 0))},
			del:   []string{"a"},
		},
		{
			name: "node no longer selected",
			ds: func() *appsv1.DaemonSet {
				ds := testDS("v1")
				ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "edge"}
				return ds
			}(),
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("a", "n1", "h1", 0, 0)},
			del:   []string{"a"},
		},
		{
			name:  "node gone",
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("a", "n1", "h1", 0, 0), dpod("b", "gone", "h1", 0, 0), dpod("unplaceable", "", "h1", 0, -1)},
			del:   []string{"b"},
		},
		{
			name:  "surge: old and new side by side while the new one is not available",
			ds:    withSurge(testDS("v1"), "1", "0"),
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("old", "n1", "h0", 0, 0), dpod("new", "n1", "h1", 5, -1)},
		},
		{
			name:  "surge: the old one goes once the new one is available",
			ds:    withSurge(testDS("v1"), "1", "0"),
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("old", "n1", "h0", 0, 0), dpod("new", "n1", "h1", 5, 0)},
			del:   []string{"old"},
		},
		{
			name:  "surge: an old pod that is not ready goes at once",
			ds:    withSurge(testDS("v1"), "1", "0"),
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("old", "n1", "h0", 0, -1), dpod("new", "n1", "h1", 5, -1), dpod("new2", "n1", "h1", 6, -1)},
			del:   []string{"new2", "old"},
		},
		{
			name: "surge: minReadySeconds holds the old one",
			ds: func() *appsv1.DaemonSet {
				ds := withSurge(testDS("v1"), "1", "0")
				ds.Spec.MinReadySeconds = 60
				return ds
			}(),
			nodes: []*corev1.Node{readyNode("n1")},
			pods:  []*corev1.Pod{dpod("old", "n1", "h0", 0, time.Hour), dpod("new", "n1", "h1", 5, 30*time.Second)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.ds
			if ds == nil {
				ds = testDS("v1")
			}
			r := manage(ds, tt.nodes, groupByNode(tt.pods), "h1", now)
			if diff := cmp.Diff(tt.create, r.CreateOn); diff != "" {
				t.Errorf("create (-want +got):\n%s", diff)
			}
			want := tt.del
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, names(r.Delete)); diff != "" {
				t.Errorf("delete (-want +got):\n%s", diff)
			}
			wantFailed := tt.failedOn
			if wantFailed == nil {
				wantFailed = []string{}
			}
			if diff := cmp.Diff(wantFailed, names(r.Failed)); diff != "" {
				t.Errorf("failed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMaxSurgeUnavailable(t *testing.T) {
	tests := []struct {
		surge, unavailable string
		desired            int
		s, u               int
	}{
		{"0", "1", 5, 0, 1},
		{"0", "25%", 5, 0, 2}, // rounds up, unlike Deployments
		{"10%", "0", 5, 1, 0},
		{"0", "0", 5, 0, 1},
		{"0", "0", 0, 0, 0},
		{"0", "100%", 3, 0, 3},
	}
	for _, tt := range tests {
		s, u := maxSurgeUnavailable(withSurge(testDS("v1"), tt.surge, tt.unavailable), tt.desired)
		if s != tt.s || u != tt.u {
			t.Errorf("%s/%s of %d: %d %d, want %d %d", tt.surge, tt.unavailable, tt.desired, s, u, tt.s, tt.u)
		}
	}
	def := testDS("v1")
	def.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{}
	if s, u := maxSurgeUnavailable(def, 4); s != 0 || u != 1 {
		t.Errorf("defaults %d %d", s, u)
	}
	onDelete := testDS("v1")
	onDelete.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if isRollingUpdate(onDelete) || allowsSurge(onDelete) {
		t.Error("OnDelete")
	}
}
