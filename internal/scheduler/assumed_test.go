package scheduler

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestWithAssumed(t *testing.T) {
	assumedOn := func(p *corev1.Pod, node string) *corev1.Pod {
		c := p.DeepCopy()
		c.Spec.NodeName = node
		return c
	}
	pending := mkPod("pending")
	bound := mkPod("bound", onNode("b"))
	finished := mkPod("finished", phase(corev1.PodSucceeded))
	tests := []struct {
		name        string
		observed    []*corev1.Pod
		assumed     []*corev1.Pod
		wantOnNodes []string // pod/node of every pod occupying a node in the result
		wantSettled []types.UID
	}{
		{
			name:        "informer lags: the assumed copy counts",
			observed:    []*corev1.Pod{pending},
			assumed:     []*corev1.Pod{assumedOn(pending, "a")},
			wantOnNodes: []string{"pending/a"},
		},
		{
			name:        "informer caught up: counted once, entry settled",
			observed:    []*corev1.Pod{bound},
			assumed:     []*corev1.Pod{assumedOn(bound, "a")}, // informer's node wins
			wantOnNodes: []string{"bound/b"},
			wantSettled: []types.UID{bound.UID},
		},
		{
			name:        "pod deleted: settled",
			assumed:     []*corev1.Pod{assumedOn(pending, "a")},
			wantSettled: []types.UID{pending.UID},
		},
		{
			name:        "pod finished: settled",
			observed:    []*corev1.Pod{finished},
			assumed:     []*corev1.Pod{assumedOn(finished, "a")},
			wantSettled: []types.UID{finished.UID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all, settled := withAssumed(tt.observed, tt.assumed)
			var onNodes []string
			for _, p := range all {
				if occupiesNode(p) {
					onNodes = append(onNodes, p.Name+"/"+p.Spec.NodeName)
				}
			}
			if !slices.Equal(onNodes, tt.wantOnNodes) {
				t.Errorf("on nodes %v, want %v", onNodes, tt.wantOnNodes)
			}
			if !slices.Equal(settled, tt.wantSettled) {
				t.Errorf("settled %v, want %v", settled, tt.wantSettled)
			}
		})
	}
}

func TestAssumedPodsCache(t *testing.T) {
	c := newAssumedPods()
	p := mkPod("p")
	c.assume(p, "n1")
	if !c.has(p.UID) || len(c.list()) != 1 || c.list()[0].Spec.NodeName != "n1" {
		t.Fatalf("after assume: has=%v list=%v", c.has(p.UID), c.list())
	}
	if p.Spec.NodeName != "" {
		t.Error("assume modified its argument")
	}
	c.forget(p.UID, "unknown")
	if c.has(p.UID) || len(c.list()) != 0 {
		t.Error("forget left the pod")
	}
}
