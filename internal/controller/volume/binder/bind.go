package binder

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// bind ties claim and volume together in Kubernetes' order, each step
// skipped when already done, so a retry after a conflict resumes where the
// last attempt stopped: the volume's claimRef, its phase, the claim's
// volumeName and bind-completed annotation, its status.
func (c *Controller) bind(ctx context.Context, pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	pv, err := c.bindVolume(ctx, pv, claim)
	if err != nil {
		return ignoreNotFound(err)
	}
	if err := c.setVolumePhase(ctx, pv, corev1.VolumeBound, ""); err != nil {
		return err
	}
	if claim, err = c.bindClaim(ctx, claim, pv); err != nil {
		return ignoreNotFound(err)
	}
	return c.setClaimPhase(ctx, claim, corev1.ClaimBound, pv)
}

// BoundClaimRef is the claimRef of a volume bound to claim.
func BoundClaimRef(claim *corev1.PersistentVolumeClaim) *corev1.ObjectReference {
	return &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: claim.Namespace,
		Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion}
}

func (c *Controller) bindVolume(ctx context.Context, pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) (*corev1.PersistentVolume, error) {
	if ref := pv.Spec.ClaimRef; ref != nil && ref.UID == claim.UID && ref.Name == claim.Name && ref.Namespace == claim.Namespace {
		return pv, nil
	}
	pv = pv.DeepCopy()
	if pv.Spec.ClaimRef == nil {
		metav1.SetMetaDataAnnotation(&pv.ObjectMeta, storageutil.AnnBoundByController, annBoundValue)
	}
	pv.Spec.ClaimRef = BoundClaimRef(claim)
	c.Log.Info("binding volume", "pv", pv.Name, "claim", claim.Namespace+"/"+claim.Name)
	return c.Client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{})
}

func (c *Controller) bindClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim, pv *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, error) {
	if claim.Spec.VolumeName == pv.Name && claim.Annotations[storageutil.AnnBindCompleted] != "" {
		return claim, nil
	}
	claim = claim.DeepCopy()
	if claim.Spec.VolumeName == "" {
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, storageutil.AnnBoundByController, annBoundValue)
	}
	claim.Spec.VolumeName = pv.Name
	metav1.SetMetaDataAnnotation(&claim.ObjectMeta, storageutil.AnnBindCompleted, annBoundValue)
	return c.Client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, claim, metav1.UpdateOptions{})
}

// ClaimStatus is the claim's status in phase: access modes follow the
// volume, and capacity is copied only when the claim becomes Bound (after
// that, expansion moves it).
func ClaimStatus(claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, pv *corev1.PersistentVolume) corev1.PersistentVolumeClaimStatus {
	st := *claim.Status.DeepCopy()
	if pv != nil {
		st.AccessModes = pv.Spec.AccessModes
		if claim.Status.Phase != phase {
			st.Capacity = corev1.ResourceList{corev1.ResourceStorage: storageutil.VolumeSize(pv)}
		}
	}
	st.Phase = phase
	return st
}

func (c *Controller) setClaimPhase(ctx context.Context, claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, pv *corev1.PersistentVolume) error {
	if phase == "" {
		return nil
	}
	st := ClaimStatus(claim, phase, pv)
	if equality.Semantic.DeepEqual(st, claim.Status) {
		return nil
	}
	claim = claim.DeepCopy()
	claim.Status = st
	_, err := c.Client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, claim, metav1.UpdateOptions{})
	return ignoreNotFound(err)
}

func (c *Controller) setVolumePhase(ctx context.Context, pv *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, msg string) error {
	if phase == "" || (pv.Status.Phase == phase && pv.Status.Message == msg) {
		return nil
	}
	pv = pv.DeepCopy()
	now := metav1.Now()
	pv.Status.Phase, pv.Status.Message, pv.Status.Reason = phase, msg, ""
	pv.Status.LastPhaseTransitionTime = &now
	_, err := c.Client.CoreV1().PersistentVolumes().UpdateStatus(ctx, pv, metav1.UpdateOptions{})
	return ignoreNotFound(err)
}
