package binder

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Event reasons and messages, as Kubernetes' persistentvolume controller
// records them.
const (
	ReasonFailedBinding        = "FailedBinding"
	ReasonWaitForFirstConsumer = "WaitForFirstConsumer"
	ReasonExternalProvisioning = "ExternalProvisioning"
	ReasonProvisioningFailed   = "ProvisioningFailed"
	ReasonClaimLost            = "ClaimLost"
	ReasonClaimMisbound        = "ClaimMisbound"
	ReasonVolumeFailedDelete   = "VolumeFailedDelete"
	ReasonVolumeFailedRecycle  = "VolumeFailedRecycle"
	msgWaitForFirstConsumer    = "waiting for first consumer to be created before binding"
	msgNoVolumesNoClass        = "no persistent volumes available for this claim and no storage class is set"
	msgLostReference           = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
	msgLostVolume              = "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
	msgMisbound                = "Two claims are bound to the same volume, this one is bound incorrectly"
	msgNoRecycler              = "No recycler plugin found for the volume!"
	noProvisioner              = "kubernetes.io/no-provisioner"
	annBoundValue              = "yes"
	fmtExternalProvisioning    = "Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
	fmtNoDeleter               = "error getting deleter volume plugin for volume %q: no deletable volume plugin matched"
	fmtCannotBindRequested     = "Cannot bind to requested volume %q: %s"
	fmtRequestedVolumeTaken    = "volume %q already bound to a different claim."
	fmtClassNotFound           = "storageclass.storage.k8s.io %q not found"
	fmtNoPluginMatched         = "no volume plugin matched name: %s"
)

// Event is one event to record on the object being synced.
type Event struct{ Type, Reason, Message string }

func warning(reason, msg string) *Event { return &Event{corev1.EventTypeWarning, reason, msg} }
func normal(reason, msg string) *Event  { return &Event{corev1.EventTypeNormal, reason, msg} }

// ClaimDecision is what to do with a claim.
type ClaimDecision struct {
	// Bind binds the claim and this volume (idempotent: completes a
	// half-done binding, or only refreshes statuses).
	Bind *corev1.PersistentVolume
	// Phase is the claim's phase when not binding.
	Phase corev1.PersistentVolumeClaimPhase
	// Provisioner, when set, is written to the storage-provisioner
	// annotations: it is this provisioner's turn.
	Provisioner string
	Event       *Event
}

// DecideClaim is syncClaim of Kubernetes' persistentvolume controller as a
// pure function of the claim, every volume, the volume the claim names (nil
// when absent) and the claim's class (nil when the claim has none or it
// does not exist).
func DecideClaim(claim *corev1.PersistentVolumeClaim, pvs []*corev1.PersistentVolume, class *storagev1.StorageClass) ClaimDecision {
	named := byName(pvs, claim.Spec.VolumeName)
	if claim.Annotations[storageutil.AnnBindCompleted] == "" {
		return decideUnboundClaim(claim, pvs, named, class)
	}
	switch {
	case claim.Spec.VolumeName == "":
		return ClaimDecision{Phase: corev1.ClaimLost, Event: warning(ReasonClaimLost, msgLostReference)}
	case named == nil:
		return ClaimDecision{Phase: corev1.ClaimLost, Event: warning(ReasonClaimLost, msgLostVolume)}
	case named.Spec.ClaimRef == nil || (claimRefMatches(named.Spec.ClaimRef, claim) && named.Spec.ClaimRef.UID != ""):
		return ClaimDecision{Bind: named}
	default:
		return ClaimDecision{Phase: corev1.ClaimLost, Event: warning(ReasonClaimMisbound, msgMisbound)}
	}
}

func decideUnboundClaim(claim *corev1.PersistentVolumeClaim, pvs []*corev1.PersistentVolume, named *corev1.PersistentVolume, class *storagev1.StorageClass) ClaimDecision {
	pending := ClaimDecision{Phase: corev1.ClaimPending}
	if claim.Spec.VolumeName != "" { // the user asked for one volume
		switch {
		case named == nil:
			return pending // it may still be created
		case named.Spec.ClaimRef == nil:
			if err := Satisfies(named, claim); err != nil {
				pending.Event = warning(ReasonFailedBinding, fmt.Sprintf(fmtCannotBindRequested, named.Name, err))
				return pending
			}
			return ClaimDecision{Bind: named}
		case claimRefMatches(named.Spec.ClaimRef, claim):
			return ClaimDecision{Bind: named}
		default:
			pending.Event = warning(ReasonFailedBinding, fmt.Sprintf(fmtRequestedVolumeTaken, named.Name))
			return pending
		}
	}
	delay := storageutil.DelayBinding(class)
	if pv := FindBestMatch(claim, pvs, delay, nil); pv != nil {
		return ClaimDecision{Bind: pv}
	}
	className := storageutil.ClaimClass(claim)
	switch {
	case delay && claim.Annotations[storageutil.AnnSelectedNode] == "":
		pending.Event = normal(ReasonWaitForFirstConsumer, msgWaitForFirstConsumer)
	case className != "" && class == nil:
		pending.Event = warning(ReasonProvisioningFailed, fmt.Sprintf(fmtClassNotFound, className))
	case className != "" && class.Provisioner == noProvisioner:
		pending.Event = warning(ReasonProvisioningFailed, fmt.Sprintf(fmtNoPluginMatched, noProvisioner))
	case className != "":
		if claim.Annotations[storageutil.AnnStorageProvisioner] != class.Provisioner ||
			claim.Annotations[storageutil.AnnBetaStorageProvisioner] != class.Provisioner {
			pending.Provisioner = class.Provisioner
			pending.Event = normal(ReasonExternalProvisioning, fmt.Sprintf(fmtExternalProvisioning, class.Provisioner))
		}
	default:
		pending.Event = normal(ReasonFailedBinding, msgNoVolumesNoClass)
	}
	return pending
}

func byName(pvs []*corev1.PersistentVolume, name string) *corev1.PersistentVolume {
	if name == "" {
		return nil
	}
	for _, pv := range pvs {
		if pv.Name == name {
			return pv
		}
	}
	return nil
}

// VolumeDecision is what to do with a volume.
type VolumeDecision struct {
	Phase   corev1.PersistentVolumePhase // "" keeps the phase
	Message string                       // status.message with the phase
	// Unbind drops the claimRef (the controller made it); ClearUID keeps a
	// user's pre-binding but forgets the claim instance.
	Unbind, ClearUID bool
	// Delete removes the PV object: the reclaim of a volume we provisioned.
	Delete bool
	Event  *Event
}

// DecideVolume is syncVolume of Kubernetes' persistentvolume controller:
// claim is the object the volume's claimRef names by namespace/name (nil
// when it does not exist).
func DecideVolume(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) VolumeDecision {
	ref := pv.Spec.ClaimRef
	switch {
	case pv.DeletionTimestamp != nil:
		return VolumeDecision{}
	case ref == nil, ref.UID == "":
		return VolumeDecision{Phase: corev1.VolumeAvailable}
	case claim == nil || claim.UID != ref.UID:
		return decideReleased(pv)
	case claim.Spec.VolumeName == "":
		return VolumeDecision{} // the claim's sync completes the binding
	case claim.Spec.VolumeName == pv.Name:
		return VolumeDecision{Phase: corev1.VolumeBound}
	case pv.Annotations[storageutil.AnnBoundByController] != "":
		return VolumeDecision{Phase: corev1.VolumeAvailable, Unbind: true}
	default:
		return VolumeDecision{Phase: corev1.VolumeAvailable, ClearUID: true}
	}
}

// decideReleased: the claim is gone; the reclaim policy says what follows.
func decideReleased(pv *corev1.PersistentVolume) VolumeDecision {
	if pv.Status.Phase == corev1.VolumeFailed {
		return VolumeDecision{}
	}
	if pv.Status.Phase != corev1.VolumeReleased {
		return VolumeDecision{Phase: corev1.VolumeReleased}
	}
	switch pv.Spec.PersistentVolumeReclaimPolicy {
	case corev1.PersistentVolumeReclaimDelete:
		if storageutil.IsOurDriver(pv.Annotations[storageutil.AnnProvisionedBy]) {
			return VolumeDecision{Delete: true}
		}
		msg := fmt.Sprintf(fmtNoDeleter, pv.Name)
		return VolumeDecision{Phase: corev1.VolumeFailed, Message: msg, Event: warning(ReasonVolumeFailedDelete, msg)}
	case corev1.PersistentVolumeReclaimRecycle:
		return VolumeDecision{Phase: corev1.VolumeFailed, Message: msgNoRecycler, Event: warning(ReasonVolumeFailedRecycle, msgNoRecycler)}
	default:
		return VolumeDecision{} // Retain: stays Released for the administrator
	}
}

// RetroactiveDefaultClass is the class to give an unbound claim created
// without storageClassName (nil, not ""), once a default class exists, as
// Kubernetes' persistentvolume controller does since 1.28; "" for none.
func RetroactiveDefaultClass(claim *corev1.PersistentVolumeClaim, classes []*storagev1.StorageClass) string {
	if claim.Spec.StorageClassName != nil || claim.Spec.VolumeName != "" || claim.DeletionTimestamp != nil {
		return ""
	}
	if _, ok := claim.Annotations[storageutil.AnnBetaStorageClass]; ok {
		return ""
	}
	return storageutil.DefaultClass(classes)
}
