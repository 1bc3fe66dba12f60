package daemonset

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// controllerKind is what the controller's references say.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("DaemonSet")

// nodeNameField is the field a node selector term pins a node with.
const nodeNameField = "metadata.name"

// hashLabel ties pods and ControllerRevisions to one template.
const hashLabel = appsv1.ControllerRevisionHashLabelKey

// newPod is ds's pod for node: the template with the revision's hash
// label, the daemon tolerations and a required node affinity naming the
// node, so the scheduler places it there (as Kubernetes does since
// ScheduleDaemonSetPods).
func newPod(ds *appsv1.DaemonSet, node, hash string) *corev1.Pod {
	t := ds.Spec.Template.DeepCopy()
	lbls := maps.Clone(t.Labels)
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[hashLabel] = hash
	spec := t.Spec
	addDaemonTolerations(&spec)
	spec.Affinity = pinToNode(spec.Affinity, node)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    ds.Name + "-",
			Namespace:       ds.Namespace,
			Labels:          lbls,
			Annotations:     maps.Clone(t.Annotations),
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(ds, controllerKind)},
		},
		Spec: spec,
	}
}

// pinToNode returns affinity (copied) with its required node selector
// replaced by the single term metadata.name In [node]; the DaemonSet has
// already checked the template's own terms against that node. Preferred
// terms and pod (anti-)affinity stay.
func pinToNode(affinity *corev1.Affinity, node string) *corev1.Affinity {
	a := affinity.DeepCopy()
	if a == nil {
		a = &corev1.Affinity{}
	}
	if a.NodeAffinity == nil {
		a.NodeAffinity = &corev1.NodeAffinity{}
	}
	a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchFields: []corev1.NodeSelectorRequirement{{Key: nodeNameField, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
		}},
	}
	return a
}

// targetNode is the node a daemon pod is for: where it is bound, or, not
// yet scheduled, the node its affinity pins. "" when it cannot be told.
func targetNode(p *corev1.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, r := range t.MatchFields {
			if r.Key == nodeNameField && r.Operator == corev1.NodeSelectorOpIn {
				if len(r.Values) != 1 {
					return ""
				}
				return r.Values[0]
			}
		}
	}
	return ""
}
