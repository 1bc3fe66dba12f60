// Package storageutil holds the names (annotations, finalizers, drivers) and
// small helpers shared by the storage controllers and the scheduler's volume
// binding: one place for the strings both sides of the storage contract use.
package storageutil

import corev1 "k8s.io/api/core/v1"

// Annotations Kubernetes' persistentvolume controller and scheduler use.
const (
	AnnBindCompleted          = "pv.kubernetes.io/bind-completed"
	AnnBoundByController      = "pv.kubernetes.io/bound-by-controller"
	AnnProvisionedBy          = "pv.kubernetes.io/provisioned-by"
	AnnSelectedNode           = "volume.kubernetes.io/selected-node"
	AnnStorageProvisioner     = "volume.kubernetes.io/storage-provisioner"
	AnnBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
	AnnBetaStorageClass       = "volume.beta.kubernetes.io/storage-class"
	AnnDefaultClass           = "storageclass.kubernetes.io/is-default-class"
	AnnBetaDefaultClass       = "storageclass.beta.kubernetes.io/is-default-class"
)

// Finalizers.
const (
	PVCProtectionFinalizer = "kubernetes.io/pvc-protection"
	PVProtectionFinalizer  = "kubernetes.io/pv-protection"
	// NodeStorageFinalizer is removed by the node agent once the backing
	// storage of a provisioned PV is gone.
	NodeStorageFinalizer = "berth.dev/node-storage"
)

// The built-in provisioners (CSI driver names) and what they publish.
const (
	DriverLocalPath   = "berth.dev/local-path"
	DriverLocalVolume = "berth.dev/local-volume"
	// CapacityResource is the extended resource each Node publishes: the
	// bytes it can hold for provisioned volumes.
	CapacityResource corev1.ResourceName = "berth.dev/local-storage"
	// NodeAttribute names the node in a provisioned PV's csi.volumeAttributes.
	NodeAttribute = "berth.dev/node"
)

// The CSI driver names provisioned PVs carry in spec.csi.driver: the API
// (like Kubernetes) wants a DNS subdomain there, so the provisioner names,
// which contain a "/", cannot be used.
const (
	CSIDriverLocalPath   = "local-path.berth.dev"
	CSIDriverLocalVolume = "local-volume.berth.dev"
)

// CSIDriver is the spec.csi.driver of volumes made by provisioner.
func CSIDriver(provisioner string) string {
	switch provisioner {
	case DriverLocalPath:
		return CSIDriverLocalPath
	case DriverLocalVolume:
		return CSIDriverLocalVolume
	}
	return provisioner
}

// Provisioner maps a CSI driver name (either form) to its provisioner name,
// "" when it is not one of berth's.
func Provisioner(driver string) string {
	switch driver {
	case DriverLocalPath, CSIDriverLocalPath:
		return DriverLocalPath
	case DriverLocalVolume, CSIDriverLocalVolume:
		return DriverLocalVolume
	}
	return ""
}

// IsOurDriver: the provisioner or CSI driver is one berth implements.
func IsOurDriver(name string) bool { return Provisioner(name) != "" }
