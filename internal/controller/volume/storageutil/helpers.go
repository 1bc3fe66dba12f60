package storageutil

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// ClaimClass is the claim's class name: the beta annotation wins over the
// field, as in Kubernetes.
func ClaimClass(c *corev1.PersistentVolumeClaim) string {
	if v, ok := c.Annotations[AnnBetaStorageClass]; ok {
		return v
	}
	if c.Spec.StorageClassName != nil {
		return *c.Spec.StorageClassName
	}
	return ""
}

// VolumeClass is the volume's class name (beta annotation first).
func VolumeClass(pv *corev1.PersistentVolume) string {
	if v, ok := pv.Annotations[AnnBetaStorageClass]; ok {
		return v
	}
	return pv.Spec.StorageClassName
}

// ClaimRequest is the claim's storage request (zero when unset).
func ClaimRequest(c *corev1.PersistentVolumeClaim) resource.Quantity {
	return c.Spec.Resources.Requests[corev1.ResourceStorage]
}

// VolumeSize is the volume's spec.capacity.storage.
func VolumeSize(pv *corev1.PersistentVolume) resource.Quantity {
	return pv.Spec.Capacity[corev1.ResourceStorage]
}

// IsDefaultClass: the class carries the default-class annotation (GA or beta).
func IsDefaultClass(sc *storagev1.StorageClass) bool {
	return sc.Annotations[AnnDefaultClass] == "true" || sc.Annotations[AnnBetaDefaultClass] == "true"
}

// DelayBinding: the class binds when the first pod is scheduled.
func DelayBinding(sc *storagev1.StorageClass) bool {
	return sc != nil && sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

// ClaimVolumeMode defaults an unset volumeMode to Filesystem.
func ClaimVolumeMode(m *corev1.PersistentVolumeMode) corev1.PersistentVolumeMode {
	if m == nil {
		return corev1.PersistentVolumeFilesystem
	}
	return *m
}

// ProvisionedNode is the node a provisioned PV of ours lives on, "" for
// any other volume.
func ProvisionedNode(pv *corev1.PersistentVolume) string {
	if pv.Spec.CSI == nil || !IsOurDriver(pv.Spec.CSI.Driver) {
		return ""
	}
	return pv.Spec.CSI.VolumeAttributes[NodeAttribute]
}

// NodeAffinityMatches: the volume may be used on a node with these labels
// and name. A volume without node affinity is usable everywhere.
func NodeAffinityMatches(pv *corev1.PersistentVolume, node *corev1.Node) bool {
	na := pv.Spec.NodeAffinity
	if na == nil || na.Required == nil {
		return true
	}
	for _, term := range na.Required.NodeSelectorTerms {
		if termMatches(term, node) {
			return true
		}
	}
	return false
}

var operators = map[corev1.NodeSelectorOperator]selection.Operator{
	corev1.NodeSelectorOpIn: selection.In, corev1.NodeSelectorOpNotIn: selection.NotIn,
	corev1.NodeSelectorOpExists: selection.Exists, corev1.NodeSelectorOpDoesNotExist: selection.DoesNotExist,
	corev1.NodeSelectorOpGt: selection.GreaterThan, corev1.NodeSelectorOpLt: selection.LessThan,
}

// termMatches evaluates one node selector term through apimachinery's label
// selectors (fields: metadata.name only); an empty or malformed term matches
// nothing.
func termMatches(term corev1.NodeSelectorTerm, node *corev1.Node) bool {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		return false
	}
	sel := labels.NewSelector()
	for _, e := range term.MatchExpressions {
		r, err := labels.NewRequirement(e.Key, operators[e.Operator], e.Values)
		if err != nil {
			return false
		}
		sel = sel.Add(*r)
	}
	if !sel.Matches(labels.Set(node.Labels)) {
		return false
	}
	for _, f := range term.MatchFields {
		if f.Key != "metadata.name" || len(f.Values) == 0 {
			return false
		}
		in := slices.Contains(f.Values, node.Name)
		if (f.Operator == corev1.NodeSelectorOpIn && !in) || (f.Operator == corev1.NodeSelectorOpNotIn && in) ||
			(f.Operator != corev1.NodeSelectorOpIn && f.Operator != corev1.NodeSelectorOpNotIn) {
			return false
		}
	}
	return true
}

// NodeReady: the node's Ready condition is True.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// HasFinalizer / without: finalizer list helpers.
func HasFinalizer(fs []string, f string) bool { return slices.Contains(fs, f) }

// WithoutFinalizer returns fs without f.
func WithoutFinalizer(fs []string, f string) []string {
	return slices.DeleteFunc(slices.Clone(fs), func(s string) bool { return s == f })
}

// PodClaimNames lists the claims a pod uses, directly or through generic
// ephemeral volumes (claim "<pod>-<volume>").
func PodClaimNames(pod *corev1.Pod) []string {
	var out []string
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			out = append(out, v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			out = append(out, EphemeralClaimName(pod, &v))
		}
	}
	return out
}

// EphemeralClaimName is the claim of a generic ephemeral volume.
func EphemeralClaimName(pod *corev1.Pod, v *corev1.Volume) string { return pod.Name + "-" + v.Name }

// PodTerminated: a pod that no longer uses its volumes (Succeeded/Failed).
func PodTerminated(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// DefaultClass is the class a claim without storageClassName gets, as the
// DefaultStorageClass admission plugin picks it: among the classes marked
// default, the newest (ties: the lowest name); "" when none is marked.
func DefaultClass(classes []*storagev1.StorageClass) string {
	var best *storagev1.StorageClass
	for _, sc := range classes {
		if !IsDefaultClass(sc) {
			continue
		}
		if best == nil || sc.CreationTimestamp.After(best.CreationTimestamp.Time) ||
			(sc.CreationTimestamp.Equal(&best.CreationTimestamp) && sc.Name < best.Name) {
			best = sc
		}
	}
	if best == nil {
		return ""
	}
	return best.Name
}
