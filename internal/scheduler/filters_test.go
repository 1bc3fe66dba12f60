package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestFilters(t *testing.T) {
	noVolume := func(*corev1.Pod, *corev1.Node) (bool, string) {
		return false, "node(s) had volume node affinity conflict"
	}
	silentVolume := func(*corev1.Pod, *corev1.Node) (bool, string) { return false, "" }
	tests := []struct {
		name     string
		pod      *corev1.Pod
		node     *corev1.Node
		existing []*corev1.Pod
		vf       VolumeFilter
		want     []string
	}{
		{name: "plain pod fits", pod: mkPod("p"), node: mkNode("n")},

		// NodeUnschedulable
		{name: "cordoned", pod: mkPod("p"), node: mkNode("n", cordoned), want: []string{reasonUnschedulable}},
		{name: "cordoned but tolerated (DaemonSet)", node: mkNode("n", cordoned),
			pod: mkPod("p", tolerations(corev1.Toleration{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}))},

		// TaintToleration, including readiness
		{name: "NoSchedule taint", pod: mkPod("p"),
			node: mkNode("n", withTaints(corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule})),
			want: []string{"node(s) had untolerated taint {dedicated: db}"}},
		{name: "NoExecute taint", pod: mkPod("p"),
			node: mkNode("n", withTaints(corev1.Taint{Key: "evict", Effect: corev1.TaintEffectNoExecute})),
			want: []string{"node(s) had untolerated taint {evict: }"}},
		{name: "PreferNoSchedule only scores", pod: mkPod("p"),
			node: mkNode("n", withTaints(corev1.Taint{Key: "soft", Effect: corev1.TaintEffectPreferNoSchedule}))},
		{name: "tolerated taint", node: mkNode("n", withTaints(corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule})),
			pod: mkPod("p", tolerations(corev1.Toleration{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}))},
		{name: "not ready", pod: mkPod("p"), node: mkNode("n", withReady(corev1.ConditionFalse)),
			want: []string{"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}},
		{name: "not ready but tolerate-all (CNI DaemonSet)", node: mkNode("n", withReady(corev1.ConditionFalse)),
			pod: mkPod("p", tolerations(corev1.Toleration{Operator: corev1.TolerationOpExists}))},

		// NodeAffinity
		{name: "selector mismatch", pod: mkPod("p", nodeSelector("disk", "ssd")), node: mkNode("n"), want: []string{reasonNodeAffinity}},
		{name: "selector match", pod: mkPod("p", nodeSelector("disk", "ssd")), node: mkNode("n", withLabels("disk", "ssd"))},

		// NodePorts
		{name: "host port taken", node: mkNode("n"),
			pod:      mkPod("p", hostPorts(corev1.ContainerPort{ContainerPort: 80, HostPort: 8080})),
			existing: []*corev1.Pod{mkPod("x", onNode("n"), hostPorts(corev1.ContainerPort{ContainerPort: 80, HostPort: 8080}))},
			want:     []string{reasonNodePorts}},
		{name: "host port taken by a finished pod is free", node: mkNode("n"),
			pod:      mkPod("p", hostPorts(corev1.ContainerPort{ContainerPort: 80, HostPort: 8080})),
			existing: []*corev1.Pod{mkPod("x", onNode("n"), phase(corev1.PodSucceeded), hostPorts(corev1.ContainerPort{ContainerPort: 80, HostPort: 8080}))}},

		// NodeResourcesFit
		{name: "cpu short", pod: mkPod("p", requests("cpu", "3")), node: mkNode("n"),
			existing: []*corev1.Pod{mkPod("x", onNode("n"), requests("cpu", "2"))},
			want:     []string{"Insufficient cpu"}},
		{name: "exactly full fits", pod: mkPod("p", requests("cpu", "2")), node: mkNode("n"),
			existing: []*corev1.Pod{mkPod("x", onNode("n"), requests("cpu", "2"))}},
		{name: "every shortfall is listed", pod: mkPod("p", requests("cpu", "5", "memory", "9Gi", "ephemeral-storage", "1Ti", "example.com/gpu", "1")),
			node: mkNode("n"),
			want: []string{"Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage", "Insufficient example.com/gpu"}},
		{name: "extended resource offered", pod: mkPod("p", requests("example.com/gpu", "1")),
			node: mkNode("n", withAllocatable("cpu", "1", "pods", "10", "example.com/gpu", "1"))},
		{name: "too many pods", pod: mkPod("p"), node: mkNode("n", withAllocatable("cpu", "4", "pods", "1")),
			existing: []*corev1.Pod{mkPod("x", onNode("n"))},
			want:     []string{reasonTooManyPods}},
		{name: "a node that reports no pod capacity takes none", pod: mkPod("p"), node: mkNode("n", withAllocatable("cpu", "4")),
			want: []string{reasonTooManyPods}},
		{name: "finished pods free their resources", pod: mkPod("p", requests("cpu", "4")), node: mkNode("n"),
			existing: []*corev1.Pod{mkPod("x", onNode("n"), requests("cpu", "4"), phase(corev1.PodFailed))}},
		{name: "pods elsewhere do not count", pod: mkPod("p", requests("cpu", "4")), node: mkNode("n"),
			existing: []*corev1.Pod{mkPod("x", onNode("other"), requests("cpu", "4"))}},

		// Volume hook
		{name: "volume filter rejects", pod: mkPod("p"), node: mkNode("n"), vf: noVolume,
			want: []string{"node(s) had volume node affinity conflict"}},
		{name: "volume filter without reason", pod: mkPod("p"), node: mkNode("n"), vf: silentVolume, want: []string{reasonVolume}},

		// Order: the first failing filter decides the reason.
		{name: "taint reported before affinity and resources", pod: mkPod("p", nodeSelector("x", "y"), requests("cpu", "99")),
			node: mkNode("n", withTaints(corev1.Taint{Key: "k", Value: "v", Effect: corev1.TaintEffectNoSchedule})),
			want: []string{"node(s) had untolerated taint {k: v}"}},
		{name: "unschedulable before taints", pod: mkPod("p"), node: mkNode("n", cordoned, withReady(corev1.ConditionFalse)),
			want: []string{reasonUnschedulable}},
		{name: "affinity before resources", pod: mkPod("p", nodeSelector("x", "y"), requests("cpu", "99")), node: mkNode("n"),
			want: []string{reasonNodeAffinity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ni := infos([]*corev1.Node{tt.node}, tt.existing...)[0]
			got := runFilters(filters(tt.vf), newPodInfo(tt.pod), ni)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}
