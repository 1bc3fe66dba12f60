package validation

import (
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	betaStorageClassAnnotation  = "volume.beta.kubernetes.io/storage-class"
	maxProvisionerParameterSize = 256 * (1 << 10)
	maxProvisionerParameterLen  = 512
)

var supportedAccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOnce, corev1.ReadWriteOncePod}

// validateAccessModes: known modes only, and ReadWriteOncePod (exclusive to
// one pod) cannot be combined with any other mode.
func validateAccessModes(modes []corev1.PersistentVolumeAccessMode, requiredMsg string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if len(modes) == 0 {
		allErrs = append(allErrs, field.Required(fldPath, requiredMsg))
	}
	rwop, other := false, false
	for _, m := range modes {
		switch m {
		case corev1.ReadWriteOncePod:
			rwop = true
		case corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany:
			other = true
		default:
			allErrs = append(allErrs, field.NotSupported(fldPath, m, supportedAccessModes))
		}
	}
	if rwop && other {
		allErrs = append(allErrs, field.Forbidden(fldPath, "may not use ReadWriteOncePod with other access modes"))
	}
	return allErrs
}

func validateVolumeMode(m *corev1.PersistentVolumeMode, fldPath *field.Path) field.ErrorList {
	if m != nil && *m != corev1.PersistentVolumeFilesystem && *m != corev1.PersistentVolumeBlock {
		return field.ErrorList{field.NotSupported(fldPath, *m, []corev1.PersistentVolumeMode{corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem})}
	}
	return nil
}

func validatePersistentVolume(pv *corev1.PersistentVolume) field.ErrorList {
	allErrs := validateObjectMeta(&pv.ObjectMeta, false, nameIsDNSSubdomain)
	spec := &pv.Spec
	allErrs = append(allErrs, validateAccessModes(spec.AccessModes, "", specPath.Child("accessModes"))...)
	capPath := specPath.Child("capacity")
	if len(spec.Capacity) == 0 {
		allErrs = append(allErrs, field.Required(capPath, ""))
	}
	if _, ok := spec.Capacity[corev1.ResourceStorage]; !ok || len(spec.Capacity) > 1 {
		allErrs = append(allErrs, field.NotSupported(capPath, spec.Capacity, []corev1.ResourceName{corev1.ResourceStorage}))
	}
	for r, q := range spec.Capacity {
		p := capPath.Key(string(r))
		if q.Value() < 0 {
			allErrs = append(allErrs, field.Invalid(p, q.Value(), "must be a valid resource quantity"))
		}
		allErrs = append(allErrs, validatePositiveQuantity(q, p)...)
	}
	if rp := spec.PersistentVolumeReclaimPolicy; rp != "" {
		switch rp {
		case corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRecycle, corev1.PersistentVolumeReclaimRetain:
		default:
			allErrs = append(allErrs, field.NotSupported(specPath.Child("persistentVolumeReclaimPolicy"), rp, []corev1.PersistentVolumeReclaimPolicy{
				corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRecycle, corev1.PersistentVolumeReclaimRetain}))
		}
	}
	affinitySet := false
	if na := spec.NodeAffinity; na != nil {
		affinitySet = true
		if na.Required == nil {
			allErrs = append(allErrs, field.Required(specPath.Child("nodeAffinity", "required"), "must specify required node constraints"))
		} else {
			allErrs = append(allErrs, validateNodeSelector(na.Required, false, specPath.Child("nodeAffinity", "required"))...)
		}
	}
	allErrs = append(allErrs, validatePersistentVolumeSource(&spec.PersistentVolumeSource, pv.Name, affinitySet, specPath)...)
	if spec.HostPath != nil && path.Clean(spec.HostPath.Path) == "/" && spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimRecycle {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
	}
	if spec.StorageClassName != "" {
		allErrs = append(allErrs, nameCheck(validateClassName, spec.StorageClassName, specPath.Child("storageClassName"))...)
	}
	allErrs = append(allErrs, validateVolumeMode(spec.VolumeMode, specPath.Child("volumeMode"))...)
	if vac := spec.VolumeAttributesClassName; vac != nil {
		if *vac == "" {
			allErrs = append(allErrs, field.Required(specPath.Child("volumeAttributesClassName"), "an empty string is disallowed"))
		} else {
			allErrs = append(allErrs, nameCheck(validateClassName, *vac, specPath.Child("volumeAttributesClassName"))...)
		}
		if spec.CSI == nil {
			allErrs = append(allErrs, field.Required(specPath.Child("csi"), "has to be specified when using volumeAttributesClassName"))
		}
	}
	return allErrs
}

// validatePersistentVolumeSource: exactly one backing store, each with its
// required fields; a local volume must say which node holds it.
func validatePersistentVolumeSource(s *corev1.PersistentVolumeSource, pvName string, affinitySet bool, fldPath *field.Path) field.ErrorList {
	sources := []volumeSourceCheck{
		{name: "hostPath", set: s.HostPath != nil, validate: func(p *field.Path) field.ErrorList { return validateHostPath(s.HostPath, p) }},
		{name: "gcePersistentDisk", errPath: "persistentDisk", set: s.GCEPersistentDisk != nil, validate: func(p *field.Path) field.ErrorList {
			return append(required(p, "pdName", s.GCEPersistentDisk.PDName), validatePartition(s.GCEPersistentDisk.Partition, p)...)
		}},
		{name: "awsElasticBlockStore", set: s.AWSElasticBlockStore != nil, validate: func(p *field.Path) field.ErrorList {
			return append(required(p, "volumeID", s.AWSElasticBlockStore.VolumeID), validatePartition(s.AWSElasticBlockStore.Partition, p)...)
		}},
		{name: "glusterfs", set: s.Glusterfs != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "endpoints", s.Glusterfs.EndpointsName, "path", s.Glusterfs.Path)
		}},
		{name: "flocker", set: s.Flocker != nil},
		{name: "nfs", set: s.NFS != nil, validate: func(p *field.Path) field.ErrorList { return validateNFS(s.NFS, p) }},
		{name: "rbd", set: s.RBD != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "image", s.RBD.RBDImage)
			if len(s.RBD.CephMonitors) == 0 {
				allErrs = append(field.ErrorList{field.Required(p.Child("monitors"), "")}, allErrs...)
			}
			return allErrs
		}},
		{name: "quobyte", set: s.Quobyte != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "registry", s.Quobyte.Registry, "volume", s.Quobyte.Volume)
		}},
		{name: "cephFS", errPath: "cephfs", set: s.CephFS != nil, validate: func(p *field.Path) field.ErrorList {
			if len(s.CephFS.Monitors) == 0 {
				return field.ErrorList{field.Required(p.Child("monitors"), "")}
			}
			return nil
		}},
		{name: "iscsi", set: s.ISCSI != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "targetPortal", s.ISCSI.TargetPortal, "iqn", s.ISCSI.IQN)
		}},
		{name: "cinder", set: s.Cinder != nil, validate: func(p *field.Path) field.ErrorList { return required(p, "volumeID", s.Cinder.VolumeID) }},
		{name: "fc", set: s.FC != nil, validate: func(p *field.Path) field.ErrorList {
			if len(s.FC.TargetWWNs) == 0 && len(s.FC.WWIDs) == 0 {
				return field.ErrorList{field.Required(p.Child("targetWWNs"), "must specify either targetWWNs or wwids, but not both")}
			}
			return nil
		}},
		{name: "flexVolume", set: s.FlexVolume != nil, validate: func(p *field.Path) field.ErrorList { return required(p, "driver", s.FlexVolume.Driver) }},
		{name: "azureFile", set: s.AzureFile != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "secretName", s.AzureFile.SecretName, "shareName", s.AzureFile.ShareName)
		}},
		{name: "vsphereVolume", set: s.VsphereVolume != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "volumePath", s.VsphereVolume.VolumePath)
		}},
		{name: "photonPersistentDisk", set: s.PhotonPersistentDisk != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "pdID", s.PhotonPersistentDisk.PdID)
		}},
		{name: "portworxVolume", set: s.PortworxVolume != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "volumeID", s.PortworxVolume.VolumeID)
		}},
		{name: "azureDisk", set: s.AzureDisk != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "diskName", s.AzureDisk.DiskName, "diskURI", s.AzureDisk.DataDiskURI)
		}},
		{name: "scaleIO", set: s.ScaleIO != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "gateway", s.ScaleIO.Gateway, "system", s.ScaleIO.System, "volumeName", s.ScaleIO.VolumeName)
		}},
		{name: "local", set: s.Local != nil, validate: func(p *field.Path) field.ErrorList {
			var allErrs field.ErrorList
			if s.Local.Path == "" {
				allErrs = append(allErrs, field.Required(p.Child("path"), ""))
			} else {
				allErrs = append(allErrs, validatePathNoBacksteps(s.Local.Path, p.Child("path"))...)
			}
			if !affinitySet {
				allErrs = append(allErrs, field.Required(fldPath.Child("nodeAffinity"), "Local volume requires node affinity"))
			}
			return allErrs
		}},
		{name: "storageos", set: s.StorageOS != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "volumeName", s.StorageOS.VolumeName)
		}},
		{name: "csi", set: s.CSI != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := validateCSIDriverName(s.CSI.Driver, p.Child("driver"))
			return append(allErrs, required(p, "volumeHandle", s.CSI.VolumeHandle)...)
		}},
	}
	return validateSources(sources, fldPath)
}

// validatePersistentVolumeUpdate: the backing store and volume mode are
// fixed once created; node affinity may only be added.
func validatePersistentVolumeUpdate(pv, old *corev1.PersistentVolume) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pv.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validatePersistentVolume(pv)...)
	newSrc := pv.Spec.PersistentVolumeSource.DeepCopy()
	// A controller-expand secret may be added to a CSI volume later.
	if old.Spec.CSI != nil && old.Spec.CSI.ControllerExpandSecretRef == nil && newSrc.CSI != nil {
		newSrc.CSI.ControllerExpandSecretRef = nil
	}
	if !equality.Semantic.DeepEqual(*newSrc, old.Spec.PersistentVolumeSource) {
		diff := cmp.Diff(old.Spec.PersistentVolumeSource, *newSrc)
		allErrs = append(allErrs, field.Forbidden(specPath.Child("persistentvolumesource"), fmt.Sprintf("spec.persistentvolumesource is immutable after creation\n%v", diff)))
	}
	allErrs = append(allErrs, immutable(pv.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	if old.Spec.NodeAffinity != nil && !equality.Semantic.DeepEqual(pv.Spec.NodeAffinity, old.Spec.NodeAffinity) {
		allErrs = append(allErrs, field.Invalid(field.NewPath("nodeAffinity"), pv.Spec.NodeAffinity, "field is immutable, except for updating from beta label to GA"))
	}
	if old.Spec.VolumeAttributesClassName != nil && pv.Spec.VolumeAttributesClassName == nil {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("volumeAttributesClassName"), "update from non-nil value to nil is forbidden"))
	}
	return allErrs
}

func validatePersistentVolumeStatusUpdate(pv, old *corev1.PersistentVolume) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pv.ObjectMeta, &old.ObjectMeta)
	if pv.ResourceVersion == "" {
		allErrs = append(allErrs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	return allErrs
}

func validatePersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim) field.ErrorList {
	allErrs := validateObjectMeta(&pvc.ObjectMeta, true, nameIsDNSSubdomain)
	return append(allErrs, validatePersistentVolumeClaimSpec(&pvc.Spec, specPath)...)
}

// validatePersistentVolumeClaimSpec is shared by claims and claim templates.
// Note the storage request path: Kubernetes reports it as
// "spec.resources[storage]".
func validatePersistentVolumeClaimSpec(spec *corev1.PersistentVolumeClaimSpec, fldPath *field.Path) field.ErrorList {
	allErrs := validateAccessModes(spec.AccessModes, "at least 1 access mode is required", fldPath.Child("accessModes"))
	if spec.Selector != nil {
		allErrs = append(allErrs, metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{}, fldPath.Child("selector"))...)
	}
	storagePath := fldPath.Child("resources").Key(string(corev1.ResourceStorage))
	if q, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		allErrs = append(allErrs, field.Required(storagePath, ""))
	} else if errs := validatePositiveQuantity(q, storagePath); len(errs) > 0 {
		allErrs = append(allErrs, errs...)
	} else {
		allErrs = append(allErrs, validateResourceQuantity(corev1.ResourceStorage, q, storagePath)...)
	}
	if sc := spec.StorageClassName; sc != nil && *sc != "" {
		allErrs = append(allErrs, nameCheck(validateClassName, *sc, fldPath.Child("storageClassName"))...)
	}
	allErrs = append(allErrs, validateVolumeMode(spec.VolumeMode, fldPath.Child("volumeMode"))...)
	if ds := spec.DataSource; ds != nil {
		allErrs = append(allErrs, validateDataSource(ds.Name, ds.Kind, ds.APIGroup, fldPath.Child("dataSource"))...)
	}
	if ref := spec.DataSourceRef; ref != nil {
		allErrs = append(allErrs, validateDataSource(ref.Name, ref.Kind, ref.APIGroup, fldPath.Child("dataSourceRef"))...)
		if ref.Namespace != nil && *ref.Namespace != "" {
			allErrs = append(allErrs, nameCheck(validateNSName, *ref.Namespace, fldPath.Child("dataSourceRef", "namespace"))...)
		}
	}
	if ref := spec.DataSourceRef; ref != nil && ref.Namespace != nil && *ref.Namespace != "" {
		if spec.DataSource != nil {
			allErrs = append(allErrs, field.Invalid(fldPath, fldPath.Child("dataSource"), "may not be specified when dataSourceRef.namespace is specified"))
		}
	} else if ds := spec.DataSource; ds != nil && ref != nil {
		if !reflect.DeepEqual(ds.APIGroup, ref.APIGroup) || ds.Kind != ref.Kind || ds.Name != ref.Name {
			allErrs = append(allErrs, field.Invalid(fldPath, fldPath.Child("dataSource"), "must match dataSourceRef"))
		}
	}
	if vac := spec.VolumeAttributesClassName; vac != nil && *vac != "" {
		allErrs = append(allErrs, nameCheck(validateClassName, *vac, fldPath.Child("volumeAttributesClassName"))...)
	}
	return allErrs
}

func validateDataSource(name, kind string, apiGroup *string, fldPath *field.Path) field.ErrorList {
	allErrs := required(fldPath, "name", name, "kind", kind)
	group := ""
	if apiGroup != nil {
		group = *apiGroup
	}
	if group == "" && kind != "PersistentVolumeClaim" {
		allErrs = append(allErrs, field.Invalid(fldPath, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
	}
	if group != "" {
		allErrs = append(allErrs, dns1123Subdomain(group, fldPath.Child("apiGroup"))...)
	}
	return allErrs
}

// validatePersistentVolumeClaimUpdate: a claim's spec is fixed after
// creation, except binding to a volume once, growing (or shrinking back
// towards the recorded capacity) a bound claim's storage request, and
// changing its volumeAttributesClassName.
func validatePersistentVolumeClaimUpdate(pvc, old *corev1.PersistentVolumeClaim) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pvc.ObjectMeta, &old.ObjectMeta)
	allErrs = append(allErrs, validatePersistentVolumeClaim(pvc)...)
	newSpec, oldSpec := pvc.Spec.DeepCopy(), old.Spec.DeepCopy()
	if old.Spec.VolumeName == "" {
		oldSpec.VolumeName = newSpec.VolumeName // binding happens once
	}
	oldAnn, oldHasAnn := old.Annotations[betaStorageClassAnnotation]
	newAnn, newHasAnn := pvc.Annotations[betaStorageClassAnnotation]
	switch {
	case oldHasAnn && old.Spec.StorageClassName == nil && newSpec.StorageClassName != nil &&
		*newSpec.StorageClassName == oldAnn && (!newHasAnn || newAnn == oldAnn):
		// Moving the class from the beta annotation to the field.
		newSpec.StorageClassName = nil
	default:
		if newAnn != oldAnn {
			allErrs = append(allErrs, field.Invalid(metadataPath.Child("annotations", betaStorageClassAnnotation), newAnn, "field is immutable"))
		}
		if newSpec.StorageClassName != nil && old.Spec.StorageClassName == nil && (!oldHasAnn || *newSpec.StorageClassName == oldAnn) {
			// A claim without class may get one (e.g. the default class).
			newSpec.StorageClassName = nil
		}
	}
	bound := pvc.Status.Phase == corev1.ClaimBound
	if bound && newSpec.Resources.Requests != nil {
		newSpec.Resources.Requests[corev1.ResourceStorage] = old.Spec.Resources.Requests[corev1.ResourceStorage]
	}
	if bound && newSpec.VolumeAttributesClassName != nil {
		newSpec.VolumeAttributesClassName = oldSpec.VolumeAttributesClassName
	}
	if !equality.Semantic.DeepEqual(*newSpec, *oldSpec) {
		diff := cmp.Diff(*oldSpec, *newSpec)
		allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n%v", diff)))
	}
	newSize := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	oldSize := old.Spec.Resources.Requests[corev1.ResourceStorage]
	statusSize := old.Status.Capacity[corev1.ResourceStorage]
	// Shrinking is only allowed to recover from a failed expansion, and
	// never to or below the capacity the volume really has.
	if newSize.Cmp(oldSize) < 0 && newSize.Cmp(statusSize) <= 0 {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("resources", "requests", "storage"), "field can not be less than status.capacity"))
	}
	allErrs = append(allErrs, immutable(pvc.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	if old.Spec.VolumeAttributesClassName != nil {
		if pvc.Spec.VolumeAttributesClassName == nil {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("volumeAttributesClassName"), "update from non-nil value to nil is forbidden"))
		} else if *pvc.Spec.VolumeAttributesClassName == "" && *old.Spec.VolumeAttributesClassName != "" {
			allErrs = append(allErrs, field.Forbidden(specPath.Child("volumeAttributesClassName"), "update from non-nil value to an empty string is forbidden"))
		}
	}
	return allErrs
}

func validatePersistentVolumeClaimStatusUpdate(pvc, old *corev1.PersistentVolumeClaim) field.ErrorList {
	allErrs := validateObjectMetaUpdate(&pvc.ObjectMeta, &old.ObjectMeta)
	if pvc.ResourceVersion == "" {
		allErrs = append(allErrs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	if len(pvc.Spec.AccessModes) == 0 {
		allErrs = append(allErrs, field.Required(field.NewPath("Spec", "accessModes"), ""))
	}
	for r, q := range pvc.Status.Capacity {
		if q.Value() < 0 {
			allErrs = append(allErrs, field.Invalid(field.NewPath("status", "capacity").Key(string(r)), q.Value(), "must be a valid resource quantity"))
		}
	}
	return allErrs
}

func validateStorageClass(sc *storagev1.StorageClass) field.ErrorList {
	allErrs := validateObjectMeta(&sc.ObjectMeta, false, validateClassName)
	p := field.NewPath("provisioner")
	if sc.Provisioner == "" {
		allErrs = append(allErrs, field.Required(p, ""))
	} else {
		allErrs = append(allErrs, invalidEach(p, strings.ToLower(sc.Provisioner), qualifiedNameMsgs(strings.ToLower(sc.Provisioner)))...)
	}
	allErrs = append(allErrs, validateProvisionerParameters(sc.Parameters, field.NewPath("parameters"))...)
	if rp := sc.ReclaimPolicy; rp != nil && *rp != "" && *rp != corev1.PersistentVolumeReclaimDelete && *rp != corev1.PersistentVolumeReclaimRetain {
		allErrs = append(allErrs, field.NotSupported(field.NewPath("reclaimPolicy"), rp, []corev1.PersistentVolumeReclaimPolicy{corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRetain}))
	}
	bm := field.NewPath("volumeBindingMode")
	if sc.VolumeBindingMode == nil {
		allErrs = append(allErrs, field.Required(bm, ""))
	} else if m := *sc.VolumeBindingMode; m != storagev1.VolumeBindingImmediate && m != storagev1.VolumeBindingWaitForFirstConsumer {
		allErrs = append(allErrs, field.NotSupported(bm, sc.VolumeBindingMode, []storagev1.VolumeBindingMode{storagev1.VolumeBindingImmediate, storagev1.VolumeBindingWaitForFirstConsumer}))
	}
	allErrs = append(allErrs, validateAllowedTopologies(sc.AllowedTopologies, field.NewPath("allowedTopologies"))...)
	return allErrs
}

func validateProvisionerParameters(params map[string]string, fldPath *field.Path) field.ErrorList {
	if len(params) > maxProvisionerParameterLen {
		return field.ErrorList{field.TooLong(fldPath, "Provisioner Parameters exceeded max allowed", maxProvisionerParameterLen)}
	}
	var allErrs field.ErrorList
	total := 0
	for k, v := range params {
		if k == "" {
			allErrs = append(allErrs, field.Invalid(fldPath, k, "field can not be empty."))
		}
		total += len(k) + len(v)
	}
	if total > maxProvisionerParameterSize {
		allErrs = append(allErrs, field.TooLong(fldPath, "", maxProvisionerParameterSize))
	}
	return allErrs
}

func validateAllowedTopologies(terms []corev1.TopologySelectorTerm, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i, t := range terms {
		keys := sets.New[string]()
		for j, e := range t.MatchLabelExpressions {
			p := fldPath.Index(i).Child("matchLabelExpressions").Index(j)
			if len(e.Values) == 0 {
				allErrs = append(allErrs, field.Required(p.Child("values"), ""))
			}
			vals := sets.New[string]()
			for k, v := range e.Values {
				if vals.Has(v) {
					allErrs = append(allErrs, field.Duplicate(p.Child("values").Index(k), v))
				}
				vals.Insert(v)
			}
			allErrs = append(allErrs, metav1validation.ValidateLabelName(e.Key, p.Child("key"))...)
			if keys.Has(e.Key) {
				allErrs = append(allErrs, field.Duplicate(p.Child("key"), e.Key))
			}
			keys.Insert(e.Key)
		}
	}
	return allErrs
}

// validateStorageClassUpdate: everything that shapes provisioned volumes
// is fixed once the class exists.
func validateStorageClassUpdate(sc, old *storagev1.StorageClass) field.ErrorList {
	allErrs := validateStorageClass(sc)
	allErrs = append(allErrs, validateObjectMetaUpdate(&sc.ObjectMeta, &old.ObjectMeta)...)
	if !reflect.DeepEqual(old.Parameters, sc.Parameters) {
		allErrs = append(allErrs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	if sc.Provisioner != old.Provisioner {
		allErrs = append(allErrs, field.Forbidden(field.NewPath("provisioner"), "updates to provisioner are forbidden."))
	}
	if !reflect.DeepEqual(sc.ReclaimPolicy, old.ReclaimPolicy) {
		allErrs = append(allErrs, field.Forbidden(field.NewPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
	}
	return append(allErrs, immutable(sc.VolumeBindingMode, old.VolumeBindingMode, field.NewPath("volumeBindingMode"))...)
}
