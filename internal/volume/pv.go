package volume

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Names fixed by the storage contract.
const (
	DriverLocalPath   = "berth.dev/local-path"
	DriverLocalVolume = "berth.dev/local-volume"
	// FinalizerNodeStorage keeps a PV until the node removed its backing
	// storage.
	FinalizerNodeStorage = "berth.dev/node-storage"
	// AttrNode is the csi volumeAttributes key naming the volume's node.
	AttrNode      = "berth.dev/node"
	labelHostname = "kubernetes.io/hostname"
)

// CSI driver names as spec.csi.driver accepts them. The contract's
// provisioner names contain a "/", which the API (as Kubernetes)
// refuses in spec.csi.driver (a DNS subdomain); PVs may carry either form.
const (
	CSIDriverLocalPath   = "local-path.berth.dev"
	CSIDriverLocalVolume = "local-volume.berth.dev"
)

// Driver returns the PV's provisioner (DriverLocalPath or
// DriverLocalVolume) when its csi driver is one of berth's, else "".
func Driver(pv *corev1.PersistentVolume) string {
	if pv.Spec.CSI == nil {
		return ""
	}
	switch d := pv.Spec.CSI.Driver; d {
	case DriverLocalPath, CSIDriverLocalPath:
		return DriverLocalPath
	case DriverLocalVolume, CSIDriverLocalVolume:
		return DriverLocalVolume
	}
	return ""
}

// IsOurs says whether node must keep the backing storage of pv: a berth
// driver and node affinity (or the node attribute) naming the node.
func IsOurs(pv *corev1.PersistentVolume, node string) bool {
	if Driver(pv) == "" {
		return false
	}
	if n, ok := pv.Spec.CSI.VolumeAttributes[AttrNode]; ok {
		return n == node
	}
	return AffinityNames(pv, node)
}

// AffinityNames says whether the PV's required node affinity names node
// by its kubernetes.io/hostname label.
func AffinityNames(pv *corev1.PersistentVolume, node string) bool {
	na := pv.Spec.NodeAffinity
	if na == nil || na.Required == nil {
		return false
	}
	for _, term := range na.Required.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			if e.Key != labelHostname || e.Operator != corev1.NodeSelectorOpIn {
				continue
			}
			for _, v := range e.Values {
				if v == node {
					return true
				}
			}
		}
	}
	return false
}

// CapacityBytes is the PV's spec.capacity.storage in bytes.
func CapacityBytes(pv *corev1.PersistentVolume) (int64, error) {
	q, ok := pv.Spec.Capacity[corev1.ResourceStorage]
	if !ok {
		return 0, fmt.Errorf("persistentvolume %q has no spec.capacity.storage", pv.Name)
	}
	return q.Value(), nil
}

// HasFinalizer says whether the PV still carries the node's finalizer.
func HasFinalizer(pv *corev1.PersistentVolume) bool {
	for _, f := range pv.Finalizers {
		if f == FinalizerNodeStorage {
			return true
		}
	}
	return false
}

// WithoutFinalizer returns the PV's finalizers minus the node's.
func WithoutFinalizer(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f != FinalizerNodeStorage {
			out = append(out, f)
		}
	}
	return out
}

// Action is what the node must do for one of its PVs.
type Action int

const (
	ActionNone Action = iota
	ActionEnsure
	ActionExpand
	ActionDelete
	// ActionWaitUnused: deletion is requested but pods on the node still
	// use the volume.
	ActionWaitUnused
)

func (a Action) String() string {
	return [...]string{"none", "ensure", "expand", "delete", "wait-unused"}[a]
}

// BackingState is what the node observed of a PV's backing storage.
type BackingState struct {
	Exists bool
	Size   int64 // local-volume: the capacity it enforces
}

// Plan decides the next step for a PV of this node. inUse says whether a
// pod on the node uses it.
func Plan(pv *corev1.PersistentVolume, st BackingState, inUse bool) Action {
	if pv.DeletionTimestamp != nil {
		if !HasFinalizer(pv) {
			return ActionNone
		}
		if inUse {
			return ActionWaitUnused
		}
		return ActionDelete
	}
	if !st.Exists {
		return ActionEnsure
	}
	if Driver(pv) == DriverLocalVolume {
		if want, err := CapacityBytes(pv); err == nil && RoundUpMiB(want) > st.Size {
			return ActionExpand
		}
	}
	return ActionNone
}

// RoundUpMiB rounds a size up to a whole MiB, the granularity of
// local-volume files.
func RoundUpMiB(n int64) int64 {
	const mib = 1 << 20
	return (n + mib - 1) / mib * mib
}
