package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validPV() *corev1.PersistentVolume {
	return defaulted(&corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv1"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/srv/pv1"}},
			StorageClassName:       "standard",
		},
	})
}

func TestValidatePersistentVolume(t *testing.T) {
	runCreateCases(t, validPV, []createCase[*corev1.PersistentVolume]{
		{name: "valid"},
		{name: "namespace forbidden", mutate: func(pv *corev1.PersistentVolume) { pv.Namespace = "default" }, want: []want{forbidden("metadata.namespace")}},
		{name: "capacity required", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.Capacity = nil }, want: []want{req("spec.capacity"), unsup("spec.capacity")}},
		{name: "only storage capacity", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.Capacity[corev1.ResourceCPU] = resource.MustParse("1") },
			want: []want{unsup("spec.capacity")}},
		{name: "zero capacity", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("0") },
			want: []want{inv("spec.capacity[storage]")}},
		{name: "access modes required", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.AccessModes = nil }, want: []want{req("spec.accessModes")}},
		{name: "unknown access mode", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{"ReadSometimes"}
		},
			want: []want{unsup("spec.accessModes")}},
		{name: "ReadWriteOncePod is exclusive", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.AccessModes = append(pv.Spec.AccessModes, corev1.ReadWriteOncePod)
		}, want: []want{forbidden("spec.accessModes")}},
		{name: "no source", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.HostPath = nil }, want: []want{req("spec")}},
		{name: "two sources", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.NFS = &corev1.NFSVolumeSource{Server: "nfs", Path: "/export"}
		}, want: []want{forbidden("spec.nfs")}},
		{name: "nfs path absolute", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath = nil
			pv.Spec.NFS = &corev1.NFSVolumeSource{Server: "nfs", Path: "export"}
		}, want: []want{inv("spec.nfs.path")}},
		{name: "local needs node affinity", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath = nil
			pv.Spec.Local = &corev1.LocalVolumeSource{Path: "/mnt/disk"}
		}, want: []want{req("spec.nodeAffinity")}},
		{name: "reclaim policy unknown", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = "Keep" },
			want: []want{unsup("spec.persistentVolumeReclaimPolicy")}},
		{name: "recycle of /", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath.Path = "/"
			pv.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRecycle
		}, want: []want{forbidden("spec.persistentVolumeReclaimPolicy")}},
		{name: "volume mode unknown", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.VolumeMode = ptr(corev1.PersistentVolumeMode("Raw")) },
			want: []want{unsup("spec.volumeMode")}},
		{name: "csi needs driver and handle", mutate: func(pv *corev1.PersistentVolume) {
			pv.Spec.HostPath = nil
			pv.Spec.CSI = &corev1.CSIPersistentVolumeSource{}
		}, want: []want{req("spec.csi.driver"), inv("spec.csi.driver"), req("spec.csi.volumeHandle")}}, // as in Kubernetes, an empty driver also fails the name format
	})
	runUpdateCases(t, validPV, func(pv *corev1.PersistentVolume) *corev1.PersistentVolume { return pv.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.PersistentVolume]{
			{name: "bind to a claim", mutate: func(pv *corev1.PersistentVolume) {
				pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "default", Name: "data"}
			}},
			{name: "source is immutable", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.HostPath.Path = "/srv/other" },
				want: []want{forbidden("spec.persistentvolumesource")}},
			{name: "volumeMode is immutable", mutate: func(pv *corev1.PersistentVolume) { pv.Spec.VolumeMode = ptr(corev1.PersistentVolumeBlock) },
				want: []want{inv("volumeMode")}},
		})
}

func validPVC() *corev1.PersistentVolumeClaim {
	return defaulted(&corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
			StorageClassName: ptr("standard"),
		},
	})
}

func TestValidatePersistentVolumeClaim(t *testing.T) {
	runCreateCases(t, validPVC, []createCase[*corev1.PersistentVolumeClaim]{
		{name: "valid"},
		{name: "access modes required", mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.AccessModes = nil }, want: []want{req("spec.accessModes")}},
		{name: "storage request required", mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil }, want: []want{req("spec.resources[storage]")}},
		{name: "storage request positive", mutate: func(c *corev1.PersistentVolumeClaim) {
			c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("0")
		}, want: []want{inv("spec.resources[storage]")}},
		{name: "storage class name", mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr("Fast_SSD") }, want: []want{inv("spec.storageClassName")}},
		{name: "data source kind", mutate: func(c *corev1.PersistentVolumeClaim) {
			c.Spec.DataSource = &corev1.TypedLocalObjectReference{Kind: "Snapshot", Name: "s"}
		}, want: []want{inv("spec.dataSource")}},
	})
	d := validPVC()
	d.Spec.Resources.Requests = nil
	expectDetail(t, ValidateCreate(d), "spec.resources[storage]", "")

	bound := func(c *corev1.PersistentVolumeClaim) {
		c.Spec.VolumeName = "pv1"
		c.Status.Phase = corev1.ClaimBound
		c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	}
	runUpdateCases(t, validPVC, func(c *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim { return c.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.PersistentVolumeClaim]{
			{name: "bind once", mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeName = "pv1" }},
			{name: "grow a bound claim", old: bound, mutate: func(c *corev1.PersistentVolumeClaim) {
				c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
			}},
			{name: "shrink below capacity", old: bound, mutate: func(c *corev1.PersistentVolumeClaim) {
				c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("512Mi")
			}, want: []want{forbidden("spec.resources.requests.storage")}},
			{name: "resize an unbound claim", mutate: func(c *corev1.PersistentVolumeClaim) {
				c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
			}, want: []want{forbidden("spec")}},
			{name: "access modes are immutable", old: bound, mutate: func(c *corev1.PersistentVolumeClaim) {
				c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
			}, want: []want{forbidden("spec")}},
			{name: "rebinding is forbidden", old: bound, mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeName = "pv2" },
				want: []want{forbidden("spec")}},
			{name: "class may be set once", old: func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = nil },
				mutate: func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr("standard") }},
		})
	old := validPVC()
	old.ResourceVersion = "1"
	c := old.DeepCopy()
	c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
	expectDetail(t, ValidateUpdate(c, old), "spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")
}

func validStorageClass() *storagev1.StorageClass {
	return defaulted(&storagev1.StorageClass{
		ObjectMeta:  metav1.ObjectMeta{Name: "standard"},
		Provisioner: "berth.dev/hostpath",
		Parameters:  map[string]string{"root": "/var/lib/berth/pv"},
	})
}

func TestValidateStorageClass(t *testing.T) {
	runCreateCases(t, validStorageClass, []createCase[*storagev1.StorageClass]{
		{name: "valid"},
		{name: "provisioner required", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "" }, want: []want{req("provisioner")}},
		{name: "provisioner qualified name", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "bad provisioner" }, want: []want{inv("provisioner")}},
		{name: "reclaim policy Recycle not allowed", mutate: func(sc *storagev1.StorageClass) {
			sc.ReclaimPolicy = ptr(corev1.PersistentVolumeReclaimRecycle)
		}, want: []want{unsup("reclaimPolicy")}},
		{name: "binding mode unknown", mutate: func(sc *storagev1.StorageClass) { sc.VolumeBindingMode = ptr(storagev1.VolumeBindingMode("Later")) },
			want: []want{unsup("volumeBindingMode")}},
		{name: "empty parameter key", mutate: func(sc *storagev1.StorageClass) { sc.Parameters[""] = "x" }, want: []want{inv("parameters")}},
	})
	runUpdateCases(t, validStorageClass, func(sc *storagev1.StorageClass) *storagev1.StorageClass { return sc.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*storagev1.StorageClass]{
			{name: "default-class annotation may change", mutate: func(sc *storagev1.StorageClass) {
				sc.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
			}},
			{name: "parameters immutable", mutate: func(sc *storagev1.StorageClass) { sc.Parameters["root"] = "/other" }, want: []want{forbidden("parameters")}},
			{name: "provisioner immutable", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "other.dev/x" }, want: []want{forbidden("provisioner")}},
			{name: "reclaimPolicy immutable", mutate: func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr(corev1.PersistentVolumeReclaimRetain) },
				want: []want{forbidden("reclaimPolicy")}},
			{name: "volumeBindingMode immutable", mutate: func(sc *storagev1.StorageClass) {
				sc.VolumeBindingMode = ptr(storagev1.VolumeBindingWaitForFirstConsumer)
			}, want: []want{inv("volumeBindingMode")}},
		})
}
