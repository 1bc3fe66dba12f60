package daemonset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestNodeShouldRun(t *testing.T) {
	taint := func(key string, effect corev1.TaintEffect) corev1.Taint {
		return corev1.Taint{Key: key, Value: "v", Effect: effect}
	}
	notReady := readyNode("n")
	notReady.Status.Conditions = nil
	unknown := readyNode("n")
	unknown.Status.Conditions[0].Status = corev1.ConditionUnknown
	labelled := readyNode("n")
	labelled.Labels["disk"] = "ssd"
	labelled.Labels["cores"] = "8"

	tests := []struct {
		name      string
		node      *corev1.Node
		spec      func(*corev1.PodSpec)
		run, cont bool
	}{
		{"ready node", readyNode("n"), nil, true, true},
		{"not ready: not placed, kept", notReady, nil, false, true},
		{"unreachable: not placed, kept", unknown, nil, false, true},
		{"a daemon tolerating everything runs on a not-ready node", notReady, func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		}, true, true},
		{"nodeSelector matches", labelled, func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"disk": "ssd"} }, true, true},
		{"nodeSelector does not match", readyNode("n"), func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"disk": "ssd"} }, false, false},
		{"required affinity matches (Gt)", labelled, func(s *corev1.PodSpec) { s.Affinity = affinity(expr("cores", corev1.NodeSelectorOpGt, "4")) }, true, true},
		{"required affinity does not match (NotIn)", labelled, func(s *corev1.PodSpec) { s.Affinity = affinity(expr("disk", corev1.NodeSelectorOpNotIn, "ssd")) }, false, false},
		{"required affinity on the name field", readyNode("n"), func(s *corev1.PodSpec) {
			s.Affinity = affinity(corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"other"}}}})
		}, false, false},
		{"spec.nodeName elsewhere", readyNode("n"), func(s *corev1.PodSpec) { s.NodeName = "other" }, false, false},
		{"spec.nodeName here", readyNode("n"), func(s *corev1.PodSpec) { s.NodeName = "n" }, true, true},
		{"NoSchedule taint: not placed, kept", readyNode("n", taint("dedicated", corev1.TaintEffectNoSchedule)), nil, false, true},
		{"NoExecute taint: evicted", readyNode("n", taint("dedicated", corev1.TaintEffectNoExecute)), nil, false, false},
		{"PreferNoSchedule is no obstacle", readyNode("n", taint("dedicated", corev1.TaintEffectPreferNoSchedule)), nil, true, true},
		{"tolerated taint", readyNode("n", taint("dedicated", corev1.TaintEffectNoExecute)), func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "v"}}
		}, true, true},
		{"wrong value not tolerated", readyNode("n", taint("dedicated", corev1.TaintEffectNoSchedule)), func(s *corev1.PodSpec) {
			s.Tolerations = []corev1.Toleration{{Key: "dedicated", Value: "w"}}
		}, false, true},
		{"cordoned node: tolerated by default", readyNode("n", taint(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)), nil, true, true},
		{"disk pressure: tolerated by default", readyNode("n", taint(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule)), nil, true, true},
		{"not-ready NoExecute: tolerated by default", readyNode("n", taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)), nil, true, true},
		{"network unavailable: only host-network daemons", readyNode("n", taint(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)), nil, false, true},
		{"network unavailable, host network", readyNode("n", taint(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)), func(s *corev1.PodSpec) { s.HostNetwork = true }, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := testDS("v1")
			if tt.spec != nil {
				tt.spec(&ds.Spec.Template.Spec)
			}
			run, cont := nodeShouldRun(tt.node, ds)
			if run != tt.run || cont != tt.cont {
				t.Errorf("got run=%v continue=%v, want %v %v", run, cont, tt.run, tt.cont)
			}
		})
	}
}

func expr(key string, op corev1.NodeSelectorOperator, vals ...string) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: op, Values: vals}}}
}

func affinity(terms ...corev1.NodeSelectorTerm) *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms}}}
}

func TestAddDaemonTolerations(t *testing.T) {
	spec := &corev1.PodSpec{Tolerations: []corev1.Toleration{
		{Key: "mine", Operator: corev1.TolerationOpExists},
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To(int64(300))},
	}}
	orig := spec.DeepCopy()
	addDaemonTolerations(spec)
	var keys []string
	for _, t := range spec.Tolerations {
		keys = append(keys, t.Key)
	}
	want := []string{"mine", corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable, corev1.TaintNodeDiskPressure,
		corev1.TaintNodeMemoryPressure, corev1.TaintNodePIDPressure, corev1.TaintNodeUnschedulable}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	if spec.Tolerations[1].TolerationSeconds != nil {
		t.Error("the daemon toleration for not-ready must replace one with tolerationSeconds")
	}
	if orig.Tolerations[1].TolerationSeconds == nil {
		t.Error("the input slice was modified")
	}
	host := &corev1.PodSpec{HostNetwork: true}
	addDaemonTolerations(host)
	if n := len(host.Tolerations); n != 7 || host.Tolerations[6].Key != corev1.TaintNodeNetworkUnavailable {
		t.Errorf("host network tolerations %v", host.Tolerations)
	}
	addDaemonTolerations(host)
	if len(host.Tolerations) != 7 {
		t.Error("not idempotent")
	}
}
