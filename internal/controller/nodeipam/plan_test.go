package nodeipam

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// node builds a Node created age minutes after epoch, with optional ranges.
func node(name string, minute int, cidrs ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:              name,
		UID:               types.UID("uid-" + name),
		CreationTimestamp: metav1.NewTime(epoch.Add(time.Duration(minute) * time.Minute)),
	}}
	if len(cidrs) > 0 {
		n.Spec.PodCIDR = cidrs[0]
		n.Spec.PodCIDRs = cidrs
	}
	return n
}

func TestPlan(t *testing.T) {
	deleting := node("dying", 0)
	now := metav1.NewTime(epoch)
	deleting.DeletionTimestamp = &now
	legacy := node("legacy", 0) // only the old singular field
	legacy.Spec.PodCIDR = "10.42.0.0/24"

	tests := []struct {
		name    string
		nodes   []*corev1.Node
		pending map[string]pending
		want    decision
	}{
		{name: "no nodes"},
		{
			name:  "fresh nodes get the lowest ranges, oldest first",
			nodes: []*corev1.Node{node("b", 2), node("a", 1), node("c", 2)},
			want: decision{Assign: []assignment{
				{"a", "uid-a", "10.42.0.0/24"}, {"b", "uid-b", "10.42.1.0/24"}, {"c", "uid-c", "10.42.2.0/24"},
			}},
		},
		{
			name:  "existing ranges are kept and skipped; holes are reused",
			nodes: []*corev1.Node{node("a", 1, "10.42.0.0/24"), node("b", 2, "10.42.2.0/24"), node("new", 3)},
			want:  decision{Assign: []assignment{{"new", "uid-new", "10.42.1.0/24"}}},
		},
		{
			name:  "a deleted node's range is free again (it is simply not in the list)",
			nodes: []*corev1.Node{node("b", 2, "10.42.1.0/24"), node("new", 3)},
			want:  decision{Assign: []assignment{{"new", "uid-new", "10.42.0.0/24"}}},
		},
		{
			name:  "singular podCIDR only is honoured",
			nodes: []*corev1.Node{legacy, node("new", 3)},
			want:  decision{Assign: []assignment{{"new", "uid-new", "10.42.1.0/24"}}},
		},
		{
			name:    "written but not yet observed ranges stay taken",
			nodes:   []*corev1.Node{node("a", 1), node("b", 2)},
			pending: map[string]pending{"a": {"uid-a", "10.42.0.0/24"}},
			want:    decision{Assign: []assignment{{"b", "uid-b", "10.42.1.0/24"}}},
		},
		{
			name:    "pending entry of a re-created node is ignored",
			nodes:   []*corev1.Node{node("a", 1)},
			pending: map[string]pending{"a": {"old-uid", "10.42.5.0/24"}},
			want:    decision{Assign: []assignment{{"a", "uid-a", "10.42.0.0/24"}}},
		},
		{
			name:  "duplicate: the older node keeps it, the younger is reported",
			nodes: []*corev1.Node{node("young", 5, "10.42.0.0/24"), node("old", 1, "10.42.0.0/24"), node("new", 6)},
			want: decision{
				Conflicts: []conflict{{"young", "10.42.0.0/24", "old"}},
				Assign:    []assignment{{"new", "uid-new", "10.42.1.0/24"}},
			},
		},
		{
			name:  "overlap of different sizes is a conflict too",
			nodes: []*corev1.Node{node("old", 1, "10.42.0.0/23"), node("young", 2, "10.42.1.128/25")},
			want:  decision{Conflicts: []conflict{{"young", "10.42.1.128/25", "old"}}},
		},
		{
			name:  "a larger range blocks every subnet it covers",
			nodes: []*corev1.Node{node("big", 1, "10.42.0.0/23"), node("new", 2)},
			want:  decision{Assign: []assignment{{"new", "uid-new", "10.42.2.0/24"}}},
		},
		{
			name:  "outside the cluster CIDR: kept, not tracked",
			nodes: []*corev1.Node{node("far", 1, "192.168.0.0/24"), node("new", 2)},
			want: decision{
				Outside: []note{{"far", "192.168.0.0/24"}},
				Assign:  []assignment{{"new", "uid-new", "10.42.0.0/24"}},
			},
		},
		{
			name:  "dual-stack node: the IPv4 range is tracked, the IPv6 one is outside",
			nodes: []*corev1.Node{node("dual", 1, "10.42.0.0/24", "fd00::/64"), node("new", 2)},
			want: decision{
				Outside: []note{{"dual", "fd00::/64"}},
				Assign:  []assignment{{"new", "uid-new", "10.42.1.0/24"}},
			},
		},
		{
			name:  "garbage range is reported",
			nodes: []*corev1.Node{node("bad", 1, "nonsense")},
			want:  decision{Invalid: []note{{"bad", "nonsense"}}},
		},
		{
			name:  "a node being deleted gets nothing",
			nodes: []*corev1.Node{deleting},
		},
	}
	geometry, err := newCIDRSet(mustNet(t, "10.42.0.0/16"), 24)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plan(tt.nodes, tt.pending, geometry)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanExhaustion(t *testing.T) {
	geometry, err := newCIDRSet(mustNet(t, "10.42.0.0/23"), 24)
	if err != nil {
		t.Fatal(err)
	}
	nodes := []*corev1.Node{node("a", 1, "10.42.0.0/24"), node("b", 2), node("c", 3)}
	got := plan(nodes, nil, geometry)
	want := decision{Assign: []assignment{{"b", "uid-b", "10.42.1.0/24"}}, Exhausted: []string{"c"}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

// Plans must not depend on earlier passes: the same nodes always give the
// same answer, which is what makes a restart safe.
func TestPlanIsStable(t *testing.T) {
	geometry, _ := newCIDRSet(mustNet(t, "10.42.0.0/16"), 24)
	nodes := []*corev1.Node{node("x", 3), node("a", 1, "10.42.7.0/24"), node("m", 2)}
	first := plan(nodes, nil, geometry)
	for range 3 {
		if diff := cmp.Diff(first, plan(nodes, nil, geometry)); diff != "" {
			t.Fatalf("plan changed:\n%s", diff)
		}
	}
}

func TestLivePending(t *testing.T) {
	pend := map[string]pending{
		"seen":     {"uid-seen", "10.42.0.0/24"},
		"waiting":  {"uid-waiting", "10.42.1.0/24"},
		"gone":     {"uid-gone", "10.42.2.0/24"},
		"recreate": {"old", "10.42.3.0/24"},
	}
	nodes := []*corev1.Node{node("seen", 1, "10.42.0.0/24"), node("waiting", 1), node("recreate", 1)}
	got := livePending(nodes, pend)
	want := map[string]pending{"waiting": {"uid-waiting", "10.42.1.0/24"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("livePending (-want +got):\n%s", diff)
	}
}

func TestRelevantChange(t *testing.T) {
	withCIDR := node("a", 1, "10.42.0.0/24")
	heartbeat := withCIDR.DeepCopy()
	heartbeat.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	changed := withCIDR.DeepCopy()
	changed.Spec.PodCIDRs = []string{"10.42.0.0/24", "fd00::/64"}
	if relevantChange(withCIDR, heartbeat) {
		t.Error("status heartbeat of a node with a range should be ignored")
	}
	if !relevantChange(withCIDR, changed) {
		t.Error("podCIDRs change should count")
	}
	if !relevantChange(node("b", 1), node("b", 1)) {
		t.Error("a node without a range always counts")
	}
}
