package binder

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// FindBestMatch picks the volume for an unbound claim as Kubernetes'
// persistentvolume controller does: a volume pre-bound to the claim
// (spec.claimRef) wins if it satisfies it; otherwise the smallest free
// volume of the same class, volume mode, access modes (the volume's ⊇ the
// claim's), capacity and selector. When node is set (the scheduler asks for
// one node), only volumes usable there qualify. With delayBinding and no
// node, unbound volumes are left for the scheduler and only pre-bound ones
// are returned.
func FindBestMatch(claim *corev1.PersistentVolumeClaim, pvs []*corev1.PersistentVolume, delayBinding bool, node *corev1.Node) *corev1.PersistentVolume {
	var best *corev1.PersistentVolume
	for _, pv := range pvs {
		if Satisfies(pv, claim) != nil || pv.DeletionTimestamp != nil {
			continue
		}
		if node != nil && !storageutil.NodeAffinityMatches(pv, node) {
			continue
		}
		if ref := pv.Spec.ClaimRef; ref != nil {
			if claimRefMatches(ref, claim) {
				return pv // pre-bound to this claim
			}
			continue // promised to or bound to another claim
		}
		if pv.Status.Phase != corev1.VolumeAvailable && pv.Status.Phase != corev1.VolumePending && pv.Status.Phase != "" {
			continue
		}
		if delayBinding && node == nil {
			continue // the scheduler binds these
		}
		if claim.Spec.Selector != nil && !selectorMatches(claim.Spec.Selector, pv.Labels) {
			continue
		}
		if best == nil || smaller(pv, best) {
			best = pv
		}
	}
	return best
}

func smaller(a, b *corev1.PersistentVolume) bool {
	qa, qb := storageutil.VolumeSize(a), storageutil.VolumeSize(b)
	if c := qa.Cmp(qb); c != 0 {
		return c < 0
	}
	return a.Name < b.Name
}

func selectorMatches(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(l))
}

// claimRefMatches: the reference names this claim (and its UID, if set).
func claimRefMatches(ref *corev1.ObjectReference, claim *corev1.PersistentVolumeClaim) bool {
	return ref.Namespace == claim.Namespace && ref.Name == claim.Name && (ref.UID == "" || ref.UID == claim.UID)
}

// Satisfies reports why the volume cannot serve the claim, worded as
// Kubernetes' checkVolumeSatisfyClaim; nil when it can.
func Satisfies(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	req := storageutil.ClaimRequest(claim)
	size := storageutil.VolumeSize(pv)
	if size.Cmp(req) < 0 {
		return fmt.Errorf("requested PV is too small")
	}
	if storageutil.VolumeClass(pv) != storageutil.ClaimClass(claim) {
		return fmt.Errorf("storageClassName does not match")
	}
	if storageutil.ClaimVolumeMode(pv.Spec.VolumeMode) != storageutil.ClaimVolumeMode(claim.Spec.VolumeMode) {
		return fmt.Errorf("incompatible volumeMode")
	}
	for _, m := range claim.Spec.AccessModes {
		if !slices.Contains(pv.Spec.AccessModes, m) {
			return fmt.Errorf("incompatible accessMode")
		}
	}
	return nil
}
