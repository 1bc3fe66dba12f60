package daemonset

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestNewPod(t *testing.T) {
	ds := testDS("v1")
	ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution:  affinity(expr("disk", corev1.NodeSelectorOpExists)).NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 1, Preference: expr("zone", corev1.NodeSelectorOpExists)}},
	}}
	p := newPod(ds, "n1", "abc")
	if p.GenerateName != "agent-" || p.Namespace != "ns" || p.Labels["app"] != "agent" || p.Labels[hashLabel] != "abc" {
		t.Errorf("meta %+v", p.ObjectMeta)
	}
	if ref := p.OwnerReferences[0]; ref.Kind != "DaemonSet" || ref.UID != ds.UID || !*ref.Controller {
		t.Errorf("owner %+v", ref)
	}
	req := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(req) != 1 || len(req[0].MatchExpressions) != 0 || req[0].MatchFields[0].Key != "metadata.name" || req[0].MatchFields[0].Values[0] != "n1" {
		t.Errorf("required affinity %+v", req)
	}
	if len(p.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Error("preferred terms must stay")
	}
	if len(ds.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions) != 1 {
		t.Error("template modified")
	}
	if len(p.Spec.Tolerations) != 6 || len(ds.Spec.Template.Spec.Tolerations) != 0 {
		t.Errorf("tolerations %d", len(p.Spec.Tolerations))
	}
	if _, ok := ds.Spec.Template.Labels[hashLabel]; ok {
		t.Error("template labels modified")
	}
	if got := targetNode(p); got != "n1" {
		t.Errorf("targetNode %q", got)
	}
	p.Spec.NodeName = "bound"
	if got := targetNode(p); got != "bound" {
		t.Errorf("targetNode of a bound pod %q", got)
	}
	if got := targetNode(&corev1.Pod{}); got != "" {
		t.Errorf("targetNode without affinity %q", got)
	}
}
