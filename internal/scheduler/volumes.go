package scheduler

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/berth-project/berth/internal/controller/volume/binder"
	"github.com/berth-project/berth/internal/controller/volume/capacity"
	"github.com/berth-project/berth/internal/controller/volume/provisioner"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// Volume binding, as kube-scheduler's VolumeBinding, VolumeRestrictions and
// storage-capacity checks do it. Messages are Kubernetes' where it has one.
const (
	reasonVolumeNodeConflict  = "node(s) had volume node affinity conflict"
	reasonNoVolumeToBind      = "node(s) didn't find available persistent volumes to bind"
	reasonNotEnoughStorage    = "node(s) did not have enough free storage"
	reasonRWOElsewhere        = "node(s) didn't match the node where a pod uses the same ReadWriteOnce PersistentVolumeClaim"
	msgUnboundImmediate       = "pod has unbound immediate PersistentVolumeClaims"
	msgRWOPConflict           = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"
	noProvisioner             = "kubernetes.io/no-provisioner"
	fmtClaimNotFound          = "persistentvolumeclaim %q not found"
	fmtEphemeralNotYetCreated = "waiting for ephemeral volume controller to create the persistentvolumeclaim %q"
	fmtClaimDeleting          = "persistentvolumeclaim %q is being deleted"
	fmtVolumeNotFound         = "persistentvolume %q not found"
)

// volumeSnapshot is the storage state one scheduling attempt reads.
type volumeSnapshot struct {
	claims  map[string]*corev1.PersistentVolumeClaim // "ns/name"
	pvs     []*corev1.PersistentVolume
	classes map[string]*storagev1.StorageClass
	// pods are every pod, assumed placements included.
	pods []*corev1.Pod
	// reserved are bytes promised on a node to claims the provisioner has
	// not made volumes for yet, and taken are static volumes promised to
	// claims; both from pods waiting for their volumes.
	reserved map[string]int64
	taken    map[string]bool
}

// podVolumes is what the pod's claims ask of a node.
type podVolumes struct {
	snap    *volumeSnapshot
	bound   []*corev1.PersistentVolume      // volumes of bound claims
	delayed []*corev1.PersistentVolumeClaim // unbound WaitForFirstConsumer claims
	// rwoNodes: nodes where pods already use a ReadWriteOnce claim of the
	// pod; nil when no such claim is in use.
	rwoNodes map[string]bool
}

// volumePlan is the binding chosen for the delayed claims on one node.
type volumePlan struct {
	static    map[string]*corev1.PersistentVolume // claim name → volume to pre-bind
	provision []*corev1.PersistentVolumeClaim     // claims the provisioner makes on the node
	bytes     int64                               // their total size
}

// preFilterVolumes gathers the pod's claims; a non-empty message means no
// node can take the pod now.
func preFilterVolumes(pod *corev1.Pod, snap *volumeSnapshot) (*podVolumes, string) {
	pv := &podVolumes{snap: snap}
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		var name string
		switch {
		case v.PersistentVolumeClaim != nil:
			name = v.PersistentVolumeClaim.ClaimName
		case v.Ephemeral != nil:
			name = storageutil.EphemeralClaimName(pod, v)
		default:
			continue
		}
		claim := snap.claims[pod.Namespace+"/"+name]
		switch {
		case claim == nil && v.Ephemeral != nil:
			return nil, fmt.Sprintf(fmtEphemeralNotYetCreated, name)
		case claim == nil:
			return nil, fmt.Sprintf(fmtClaimNotFound, name)
		case claim.DeletionTimestamp != nil:
			return nil, fmt.Sprintf(fmtClaimDeleting, name)
		}
		if v.Ephemeral != nil {
			if ref := controllerUID(&corev1.Pod{ObjectMeta: claim.ObjectMeta}); ref != pod.UID {
				return nil, fmt.Sprintf("PVC %s/%s was not created for pod %s/%s (pod is not owner)", claim.Namespace, claim.Name, pod.Namespace, pod.Name)
			}
		}
		if msg := pv.addClaim(pod, claim); msg != "" {
			return nil, msg
		}
	}
	return pv, ""
}

func (pv *podVolumes) addClaim(pod *corev1.Pod, claim *corev1.PersistentVolumeClaim) string {
	users := otherUsers(pod, claim, pv.snap.pods)
	if slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteOncePod) && len(users) > 0 {
		return msgRWOPConflict
	}
	if rwoOnly(claim.Spec.AccessModes) && len(users) > 0 {
		if pv.rwoNodes == nil {
			pv.rwoNodes = map[string]bool{}
		}
		for _, u := range users {
			pv.rwoNodes[u.Spec.NodeName] = true
		}
	}
	if claim.Spec.VolumeName != "" {
		vol := volumeNamed(pv.snap.pvs, claim.Spec.VolumeName)
		if vol == nil {
			return fmt.Sprintf(fmtVolumeNotFound, claim.Spec.VolumeName)
		}
		pv.bound = append(pv.bound, vol)
		return ""
	}
	if !storageutil.DelayBinding(pv.snap.classes[storageutil.ClaimClass(claim)]) {
		return msgUnboundImmediate
	}
	pv.delayed = append(pv.delayed, claim)
	return ""
}

// otherUsers are the scheduled, not terminated pods other than pod that use
// the claim.
func otherUsers(pod *corev1.Pod, claim *corev1.PersistentVolumeClaim, pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.UID == pod.UID || p.Namespace != claim.Namespace || !occupiesNode(p) {
			continue
		}
		if slices.Contains(storageutil.PodClaimNames(p), claim.Name) {
			out = append(out, p)
		}
	}
	return out
}

// rwoOnly: the claim may be used by one node only.
func rwoOnly(modes []corev1.PersistentVolumeAccessMode) bool {
	return slices.Contains(modes, corev1.ReadWriteOnce) &&
		!slices.Contains(modes, corev1.ReadWriteMany) && !slices.Contains(modes, corev1.ReadOnlyMany)
}

func volumeNamed(pvs []*corev1.PersistentVolume, name string) *corev1.PersistentVolume {
	for _, v := range pvs {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// filter returns why the node cannot serve the pod's volumes (nil: it can).
func (pv *podVolumes) filter(node *corev1.Node) []string {
	for _, v := range pv.bound {
		if !storageutil.NodeAffinityMatches(v, node) {
			return []string{reasonVolumeNodeConflict}
		}
	}
	if pv.rwoNodes != nil && !pv.rwoNodes[node.Name] {
		return []string{reasonRWOElsewhere}
	}
	if _, reason := pv.plan(node); reason != "" {
		return []string{reason}
	}
	return nil
}

// plan binds each delayed claim on node to a free static volume usable
// there (smallest fit) or to provisioning, and checks the node has room
// for what must be provisioned.
func (pv *podVolumes) plan(node *corev1.Node) (*volumePlan, string) {
	p := &volumePlan{static: map[string]*corev1.PersistentVolume{}}
	used := map[string]bool{}
	for _, claim := range pv.delayed {
		free := slices.DeleteFunc(slices.Clone(pv.snap.pvs), func(v *corev1.PersistentVolume) bool {
			return used[v.Name] || pv.snap.taken[v.Name]
		})
		if v := binder.FindBestMatch(claim, free, true, node); v != nil {
			used[v.Name] = true
			p.static[claim.Name] = v
			continue
		}
		class := pv.snap.classes[storageutil.ClaimClass(claim)]
		if class == nil || class.Provisioner == noProvisioner {
			return nil, reasonNoVolumeToBind
		}
		p.provision = append(p.provision, claim)
		if storageutil.IsOurDriver(class.Provisioner) {
			q := provisioner.Size(class.Provisioner, claim)
			p.bytes += q.Value()
		}
	}
	if p.bytes > 0 && p.bytes > capacity.Free(node, pv.snap.pvs)-pv.snap.reserved[node.Name] {
		return nil, reasonNotEnoughStorage
	}
	return p, ""
}
