package provisioner

import (
	"fmt"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/volume/capacity"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

const mib = 1 << 20

// parameters each driver accepts in StorageClass.parameters.
var parameters = map[string]map[string][]string{
	storageutil.DriverLocalPath:   {},
	storageutil.DriverLocalVolume: {"fsType": {"ext4"}},
}

// supportedModes: node-local volumes are usable by one node.
var supportedModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce, corev1.ReadWriteOncePod}

// ValidateClass checks the class's parameters and the claim's modes against
// what the driver can make.
func ValidateClass(class *storagev1.StorageClass, claim *corev1.PersistentVolumeClaim) error {
	allowed := parameters[class.Provisioner]
	keys := make([]string, 0, len(class.Parameters))
	for k := range class.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		values, ok := allowed[k]
		if !ok {
			return fmt.Errorf("invalid parameter %q for provisioner %s", k, class.Provisioner)
		}
		if !slices.Contains(values, class.Parameters[k]) {
			return fmt.Errorf("invalid value %q of parameter %q for provisioner %s (supported: %v)", class.Parameters[k], k, class.Provisioner, values)
		}
	}
	for _, m := range claim.Spec.AccessModes {
		if !slices.Contains(supportedModes, m) {
			return fmt.Errorf("access mode %s is not supported by %s (supported: %v)", m, class.Provisioner, supportedModes)
		}
	}
	if storageutil.ClaimVolumeMode(claim.Spec.VolumeMode) == corev1.PersistentVolumeBlock && class.Provisioner != storageutil.DriverLocalVolume {
		return fmt.Errorf("volumeMode Block is not supported by %s", class.Provisioner)
	}
	return nil
}

// Size is the volume size for the claim: local-volume files are made in
// whole MiB, so the request is rounded up.
func Size(driver string, claim *corev1.PersistentVolumeClaim) resource.Quantity {
	q := storageutil.ClaimRequest(claim)
	if driver != storageutil.DriverLocalVolume || q.Value()%mib == 0 {
		return q
	}
	return *resource.NewQuantity((q.Value()/mib+1)*mib, resource.BinarySI)
}

// ChooseNode picks the node for an Immediate claim: a Ready, schedulable
// node with room, the one with most free capacity (ties: lowest name).
func ChooseNode(nodes []*corev1.Node, pvs []*corev1.PersistentVolume, size int64) (string, error) {
	best, bestFree := "", int64(-1)
	largest, largestNode := int64(-1), ""
	for _, n := range nodes {
		if !storageutil.NodeReady(n) || n.Spec.Unschedulable {
			continue
		}
		free := capacity.Free(n, pvs)
		if free > largest || (free == largest && n.Name < largestNode) {
			largest, largestNode = free, n.Name
		}
		if free >= size && (free > bestFree || (free == bestFree && n.Name < best)) {
			best, bestFree = n.Name, free
		}
	}
	switch {
	case best != "":
		return best, nil
	case largestNode == "":
		return "", fmt.Errorf("no ready node to place the volume on")
	default:
		return "", fmt.Errorf("no node has %s of free storage (largest free: %s on node %q)",
			human(size), human(largest), largestNode)
	}
}

// CheckNode verifies the selected node can hold size more bytes.
func CheckNode(node *corev1.Node, pvs []*corev1.PersistentVolume, size int64) error {
	if free := capacity.Free(node, pvs); free < size {
		return fmt.Errorf("node %q has %s of free storage, the claim needs %s", node.Name, human(free), human(size))
	}
	return nil
}

func human(b int64) string { return resource.NewQuantity(b, resource.BinarySI).String() }

// VolumeFor is the PV the contract describes for claim on node.
func VolumeFor(claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass, node string) *corev1.PersistentVolume {
	fsType := ""
	if class.Provisioner == storageutil.DriverLocalVolume {
		fsType = "ext4"
	}
	policy := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		policy = *class.ReclaimPolicy
	}
	mode := storageutil.ClaimVolumeMode(claim.Spec.VolumeMode)
	name := "pvc-" + string(claim.UID)
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{storageutil.AnnProvisionedBy: class.Provisioner},
			Finalizers:  []string{storageutil.PVProtectionFinalizer, storageutil.NodeStorageFinalizer},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: Size(class.Provisioner, claim)},
			AccessModes:                   slices.Clone(claim.Spec.AccessModes),
			VolumeMode:                    &mode,
			PersistentVolumeReclaimPolicy: policy,
			MountOptions:                  slices.Clone(class.MountOptions),
			StorageClassName:              class.Name,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: storageutil.CSIDriver(class.Provisioner), VolumeHandle: name, FSType: fsType,
				VolumeAttributes: map[string]string{storageutil.NodeAttribute: node},
			}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
			}}}},
		},
	}
}
