package daemonset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func TestRollingUpdate(t *testing.T) {
	nodes := []*corev1.Node{readyNode("n1"), readyNode("n2"), readyNode("n3"), readyNode("n4")}
	old := func(node string) *corev1.Pod { return dpod("old-"+node, node, "h0", 0, 0) }
	oldUnavailable := func(node string) *corev1.Pod { return dpod("old-"+node, node, "h0", 0, -1) }
	upd := func(node string, ready bool) *corev1.Pod {
		if ready {
			return dpod("new-"+node, node, "h1", 5, 0)
		}
		return dpod("new-"+node, node, "h1", 5, -1)
	}
	tests := []struct {
		name   string
		ds     *appsv1.DaemonSet
		pods   []*corev1.Pod
		del    []string
		create []string
	}{
		{
			name: "maxUnavailable 1: one old pod at a time",
			ds:   testDS("v"),
			pods: []*corev1.Pod{old("n1"), old("n2"), old("n3"), old("n4")},
			del:  []string{"old-n1"},
		},
		{
			name: "maxUnavailable 1: wait for the new pod",
			ds:   testDS("v"),
			pods: []*corev1.Pod{upd("n1", false), old("n2"), old("n3"), old("n4")},
			del:  []string{},
		},
		{
			name: "maxUnavailable 1: next once it is available",
			ds:   testDS("v"),
			pods: []*corev1.Pod{upd("n1", true), old("n2"), old("n3"), old("n4")},
			del:  []string{"old-n2"},
		},
		{
			name: "maxUnavailable 2 (50%)",
			ds:   withSurge(testDS("v"), "0", "50%"),
			pods: []*corev1.Pod{old("n1"), old("n2"), old("n3"), old("n4")},
			del:  []string{"old-n1", "old-n2"},
		},
		{
			name: "unavailable old pods are replaced regardless",
			ds:   testDS("v"),
			pods: []*corev1.Pod{upd("n1", false), oldUnavailable("n2"), oldUnavailable("n3"), old("n4")},
			del:  []string{"old-n2", "old-n3"},
		},
		{
			name: "a node without a pod counts as unavailable",
			ds:   testDS("v"),
			pods: []*corev1.Pod{old("n2"), old("n3"), old("n4")},
			del:  []string{},
		},
		{
			name: "done",
			ds:   testDS("v"),
			pods: []*corev1.Pod{upd("n1", true), upd("n2", true), upd("n3", true), upd("n4", true)},
			del:  []string{},
		},
		{
			name:   "maxSurge 1: a new pod next to one old one",
			ds:     withSurge(testDS("v"), "1", "0"),
			pods:   []*corev1.Pod{old("n1"), old("n2"), old("n3"), old("n4")},
			del:    []string{},
			create: []string{"n1"},
		},
		{
			name: "maxSurge 1: wait while the surge pod is not available",
			ds:   withSurge(testDS("v"), "1", "0"),
			pods: []*corev1.Pod{old("n1"), upd("n1", false), old("n2"), old("n3"), old("n4")},
			del:  []string{},
		},
		{
			name:   "maxSurge 1: old goes when the new one is available",
			ds:     withSurge(testDS("v"), "1", "0"),
			pods:   []*corev1.Pod{old("n1"), upd("n1", true), old("n2"), old("n3"), old("n4")},
			del:    []string{"old-n1"},
			create: []string{"n2"}, // the surge is free again at once
		},
		{
			name:   "maxSurge 1: unavailable old pods get their new pod at once",
			ds:     withSurge(testDS("v"), "1", "0"),
			pods:   []*corev1.Pod{old("n1"), upd("n1", false), oldUnavailable("n2"), oldUnavailable("n3"), old("n4")},
			del:    []string{},
			create: []string{"n2", "n3"},
		},
		{
			name:   "maxSurge 2",
			ds:     withSurge(testDS("v"), "2", "0"),
			pods:   []*corev1.Pod{old("n1"), old("n2"), old("n3"), old("n4")},
			del:    []string{},
			create: []string{"n1", "n2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			del, create := rollingUpdate(tt.ds, nodes, groupByNode(tt.pods), "h1", now)
			if diff := cmp.Diff(tt.del, names(del)); diff != "" {
				t.Errorf("delete (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.create, create); diff != "" {
				t.Errorf("create (-want +got):\n%s", diff)
			}
		})
	}
}
