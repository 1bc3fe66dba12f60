package validation

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive"

var supportedHostPathTypes = []corev1.HostPathType{
	corev1.HostPathUnset, corev1.HostPathBlockDev, corev1.HostPathCharDev, corev1.HostPathDirectory,
	corev1.HostPathDirectoryOrCreate, corev1.HostPathFile, corev1.HostPathFileOrCreate, corev1.HostPathSocket,
}

// volumeSourceCheck is one possible source of a volume: its field name, the
// path its own errors are reported under (Kubernetes has a few historical
// spellings that differ from the field name), and its check.
type volumeSourceCheck struct {
	name     string
	errPath  string
	set      bool
	validate func(fldPath *field.Path) field.ErrorList
}

// validateSources enforces "exactly one source": the first set source in
// Kubernetes' order is validated, every later one is Forbidden, none at all
// is Required.
func validateSources(sources []volumeSourceCheck, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	n := 0
	for _, s := range sources {
		if !s.set {
			continue
		}
		if n > 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child(s.name), "may not specify more than 1 volume type"))
			continue
		}
		n++
		errPath := s.errPath
		if errPath == "" {
			errPath = s.name
		}
		if s.validate != nil {
			allErrs = append(allErrs, s.validate(fldPath.Child(errPath))...)
		}
	}
	if n == 0 {
		allErrs = append(allErrs, field.Required(fldPath, "must specify a volume type"))
	}
	return allErrs
}

// required reports each named string field that is empty.
func required(fldPath *field.Path, fields ...string) field.ErrorList {
	var allErrs field.ErrorList
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			allErrs = append(allErrs, field.Required(fldPath.Child(fields[i]), ""))
		}
	}
	return allErrs
}

// validateVolumes checks pod volumes and returns the valid ones by name, for
// the mount checks.
func validateVolumes(volumes []corev1.Volume, podMeta *metav1.ObjectMeta, fldPath *field.Path, resourceIsPod bool) (map[string]corev1.VolumeSource, field.ErrorList) {
	var allErrs field.ErrorList
	names := sets.New[string]()
	ephemeralPVCs := sets.New[string]()
	if podMeta != nil && podMeta.Name != "" {
		for _, v := range volumes {
			if v.Ephemeral != nil {
				ephemeralPVCs.Insert(podMeta.Name + "-" + v.Name)
			}
		}
	}
	valid := make(map[string]corev1.VolumeSource, len(volumes))
	for i, v := range volumes {
		idx := fldPath.Index(i)
		namePath := idx.Child("name")
		errs := validateVolumeSource(&v.VolumeSource, v.Name, podMeta, idx, resourceIsPod)
		if v.Name == "" {
			errs = append(errs, field.Required(namePath, ""))
		} else {
			errs = append(errs, dns1123Label(v.Name, namePath)...)
		}
		if names.Has(v.Name) {
			errs = append(errs, field.Duplicate(namePath, v.Name))
		}
		if len(errs) == 0 {
			names.Insert(v.Name)
			valid[v.Name] = v.VolumeSource
		} else {
			allErrs = append(allErrs, errs...)
		}
		if v.PersistentVolumeClaim != nil && ephemeralPVCs.Has(v.PersistentVolumeClaim.ClaimName) {
			allErrs = append(allErrs, field.Invalid(idx.Child("persistentVolumeClaim", "claimName"), v.PersistentVolumeClaim.ClaimName,
				"must not reference a PVC that gets created for an ephemeral volume"))
		}
	}
	return valid, allErrs
}

func validateVolumeSource(s *corev1.VolumeSource, volName string, podMeta *metav1.ObjectMeta, fldPath *field.Path, resourceIsPod bool) field.ErrorList {
	// Order and error paths follow Kubernetes, including its historical
	// "downwarAPI" (Forbidden), "persistentDisk" and "cephfs" spellings.
	sources := []volumeSourceCheck{
		{name: "emptyDir", set: s.EmptyDir != nil, validate: func(p *field.Path) field.ErrorList {
			if s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() < 0 {
				return field.ErrorList{field.Forbidden(p.Child("sizeLimit"), "SizeLimit field must be a valid resource quantity")}
			}
			return nil
		}},
		{name: "hostPath", set: s.HostPath != nil, validate: func(p *field.Path) field.ErrorList { return validateHostPath(s.HostPath, p) }},
		{name: "gitRepo", set: s.GitRepo != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "repository", s.GitRepo.Repository)
			return append(allErrs, validateLocalDescendingPath(s.GitRepo.Directory, p.Child("directory"))...)
		}},
		{name: "gcePersistentDisk", errPath: "persistentDisk", set: s.GCEPersistentDisk != nil, validate: func(p *field.Path) field.ErrorList {
			return append(required(p, "pdName", s.GCEPersistentDisk.PDName), validatePartition(s.GCEPersistentDisk.Partition, p)...)
		}},
		{name: "awsElasticBlockStore", set: s.AWSElasticBlockStore != nil, validate: func(p *field.Path) field.ErrorList {
			return append(required(p, "volumeID", s.AWSElasticBlockStore.VolumeID), validatePartition(s.AWSElasticBlockStore.Partition, p)...)
		}},
		{name: "secret", set: s.Secret != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "secretName", s.Secret.SecretName)
			allErrs = append(allErrs, validateFileMode(s.Secret.DefaultMode, p.Child("defaultMode"))...)
			return append(allErrs, validateKeyToPaths(s.Secret.Items, p.Child("items"))...)
		}},
		{name: "nfs", set: s.NFS != nil, validate: func(p *field.Path) field.ErrorList { return validateNFS(s.NFS, p) }},
		{name: "iscsi", set: s.ISCSI != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "targetPortal", s.ISCSI.TargetPortal, "iqn", s.ISCSI.IQN)
			if s.ISCSI.Lun < 0 || s.ISCSI.Lun > 255 {
				allErrs = append(allErrs, field.Invalid(p.Child("lun"), s.ISCSI.Lun, utilvalidation.InclusiveRangeError(0, 255)))
			}
			return allErrs
		}},
		{name: "glusterfs", set: s.Glusterfs != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "endpoints", s.Glusterfs.EndpointsName, "path", s.Glusterfs.Path)
		}},
		{name: "flocker", set: s.Flocker != nil},
		{name: "persistentVolumeClaim", set: s.PersistentVolumeClaim != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "claimName", s.PersistentVolumeClaim.ClaimName)
		}},
		{name: "rbd", set: s.RBD != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "image", s.RBD.RBDImage)
			if len(s.RBD.CephMonitors) == 0 {
				allErrs = append(field.ErrorList{field.Required(p.Child("monitors"), "")}, allErrs...)
			}
			return allErrs
		}},
		{name: "cinder", set: s.Cinder != nil, validate: func(p *field.Path) field.ErrorList { return required(p, "volumeID", s.Cinder.VolumeID) }},
		{name: "cephFS", errPath: "cephfs", set: s.CephFS != nil, validate: func(p *field.Path) field.ErrorList {
			if len(s.CephFS.Monitors) == 0 {
				return field.ErrorList{field.Required(p.Child("monitors"), "")}
			}
			return nil
		}},
		{name: "quobyte", set: s.Quobyte != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "registry", s.Quobyte.Registry, "volume", s.Quobyte.Volume)
		}},
		{name: "downwarAPI", errPath: "downwardAPI", set: s.DownwardAPI != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := validateFileMode(s.DownwardAPI.DefaultMode, p.Child("defaultMode"))
			for i := range s.DownwardAPI.Items {
				allErrs = append(allErrs, validateDownwardAPIFile(&s.DownwardAPI.Items[i], p)...)
			}
			return allErrs
		}},
		{name: "fc", set: s.FC != nil, validate: func(p *field.Path) field.ErrorList {
			if len(s.FC.TargetWWNs) == 0 && len(s.FC.WWIDs) == 0 {
				return field.ErrorList{field.Required(p.Child("targetWWNs"), "must specify either targetWWNs or wwids, but not both")}
			}
			return nil
		}},
		{name: "flexVolume", set: s.FlexVolume != nil, validate: func(p *field.Path) field.ErrorList { return required(p, "driver", s.FlexVolume.Driver) }},
		{name: "configMap", set: s.ConfigMap != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := required(p, "name", s.ConfigMap.Name)
			allErrs = append(allErrs, validateFileMode(s.ConfigMap.DefaultMode, p.Child("defaultMode"))...)
			return append(allErrs, validateKeyToPaths(s.ConfigMap.Items, p.Child("items"))...)
		}},
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
		{name: "storageos", set: s.StorageOS != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "volumeName", s.StorageOS.VolumeName)
		}},
		{name: "projected", set: s.Projected != nil, validate: func(p *field.Path) field.ErrorList { return validateProjected(s.Projected, p) }},
		{name: "scaleIO", set: s.ScaleIO != nil, validate: func(p *field.Path) field.ErrorList {
			return required(p, "gateway", s.ScaleIO.Gateway, "system", s.ScaleIO.System, "volumeName", s.ScaleIO.VolumeName)
		}},
		{name: "csi", set: s.CSI != nil, validate: func(p *field.Path) field.ErrorList {
			allErrs := validateCSIDriverName(s.CSI.Driver, p.Child("driver"))
			if ref := s.CSI.NodePublishSecretRef; ref != nil && ref.Name == "" {
				allErrs = append(allErrs, field.Required(p.Child("nodePublishSecretRef", "name"), ""))
			}
			return allErrs
		}},
		{name: "ephemeral", set: s.Ephemeral != nil, validate: func(p *field.Path) field.ErrorList {
			return validateEphemeralVolume(s.Ephemeral, volName, podMeta, p)
		}},
		{name: "image", set: s.Image != nil, validate: func(p *field.Path) field.ErrorList {
			var allErrs field.ErrorList
			if resourceIsPod && s.Image.Reference == "" {
				allErrs = append(allErrs, field.Required(p.Child("reference"), ""))
			}
			return append(allErrs, validatePullPolicy(s.Image.PullPolicy, p.Child("pullPolicy"))...)
		}},
	}
	return validateSources(sources, fldPath)
}

func validatePartition(partition int32, fldPath *field.Path) field.ErrorList {
	if partition < 0 || partition > 255 {
		return field.ErrorList{field.Invalid(fldPath.Child("partition"), partition, utilvalidation.InclusiveRangeError(1, 255))}
	}
	return nil
}

func validateHostPath(h *corev1.HostPathVolumeSource, fldPath *field.Path) field.ErrorList {
	if h.Path == "" {
		return field.ErrorList{field.Required(fldPath.Child("path"), "")}
	}
	allErrs := validatePathNoBacksteps(h.Path, fldPath.Child("path"))
	if h.Type != nil {
		ok := false
		for _, t := range supportedHostPathTypes {
			ok = ok || t == *h.Type
		}
		if !ok {
			allErrs = append(allErrs, field.NotSupported(fldPath.Child("type"), h.Type, supportedHostPathTypes))
		}
	}
	return allErrs
}

func validateNFS(n *corev1.NFSVolumeSource, fldPath *field.Path) field.ErrorList {
	allErrs := required(fldPath, "server", n.Server, "path", n.Path)
	if !path.IsAbs(n.Path) {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("path"), n.Path, "must be an absolute path"))
	}
	return allErrs
}

func validateFileMode(mode *int32, fldPath *field.Path) field.ErrorList {
	if mode != nil && (*mode > 0o777 || *mode < 0) {
		return field.ErrorList{field.Invalid(fldPath, *mode, fileModeErrorMsg)}
	}
	return nil
}

func validateKeyToPaths(items []corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	for i, kp := range items {
		allErrs = append(allErrs, validateKeyToPath(&kp, fldPath.Index(i))...)
	}
	return allErrs
}

func validateKeyToPath(kp *corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	allErrs := required(fldPath, "key", kp.Key, "path", kp.Path)
	allErrs = append(allErrs, validateLocalNonReservedPath(kp.Path, fldPath.Child("path"))...)
	return append(allErrs, validateFileMode(kp.Mode, fldPath.Child("mode"))...)
}

func validateDownwardAPIFile(f *corev1.DownwardAPIVolumeFile, fldPath *field.Path) field.ErrorList {
	allErrs := required(fldPath, "path", f.Path)
	allErrs = append(allErrs, validateLocalNonReservedPath(f.Path, fldPath.Child("path"))...)
	switch {
	case f.FieldRef != nil:
		allErrs = append(allErrs, validateFieldSelector(f.FieldRef, volumeFieldPaths, fldPath.Child("fieldRef"))...)
		if f.ResourceFieldRef != nil {
			allErrs = append(allErrs, field.Invalid(fldPath, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case f.ResourceFieldRef != nil:
		allErrs = append(allErrs, validateResourceFieldSelector(f.ResourceFieldRef, true, fldPath.Child("resourceFieldRef"))...)
	default:
		allErrs = append(allErrs, field.Required(fldPath, "one of fieldRef and resourceFieldRef is required"))
	}
	return append(allErrs, validateFileMode(f.Mode, fldPath.Child("mode"))...)
}

// validateProjected checks each projection source: one kind per source and
// no two items writing the same path.
func validateProjected(p *corev1.ProjectedVolumeSource, fldPath *field.Path) field.ErrorList {
	allErrs := validateFileMode(p.DefaultMode, fldPath.Child("defaultMode"))
	paths := sets.New[string]()
	addPath := func(pth string, value any) {
		if pth == "" {
			return
		}
		if paths.Has(pth) {
			allErrs = append(allErrs, field.Invalid(fldPath, value, "conflicting duplicate paths"))
		}
		paths.Insert(pth)
	}
	for i, s := range p.Sources {
		n := 0
		src := fldPath.Child("sources").Index(i)
		if s.Secret != nil {
			n++
			allErrs = append(allErrs, required(src.Child("secret"), "name", s.Secret.Name)...)
			for j, kp := range s.Secret.Items {
				allErrs = append(allErrs, validateKeyToPath(&kp, src.Child("secret", "items").Index(j))...)
				addPath(kp.Path, s.Secret.Name)
			}
		}
		if s.ConfigMap != nil {
			n++
			allErrs = append(allErrs, required(src.Child("configMap"), "name", s.ConfigMap.Name)...)
			for j, kp := range s.ConfigMap.Items {
				allErrs = append(allErrs, validateKeyToPath(&kp, src.Child("configMap", "items").Index(j))...)
				addPath(kp.Path, s.ConfigMap.Name)
			}
		}
		if s.DownwardAPI != nil {
			n++
			for j := range s.DownwardAPI.Items {
				f := &s.DownwardAPI.Items[j]
				allErrs = append(allErrs, validateDownwardAPIFile(f, src.Child("downwardAPI"))...)
				addPath(f.Path, f.Path)
			}
		}
		if t := s.ServiceAccountToken; t != nil {
			n++
			if t.ExpirationSeconds != nil && *t.ExpirationSeconds < 10*60 {
				allErrs = append(allErrs, field.Invalid(src.Child("serviceAccountToken", "expirationSeconds"), *t.ExpirationSeconds, "may not specify a duration less than 10 minutes"))
			}
			if t.ExpirationSeconds != nil && *t.ExpirationSeconds > 1<<32 {
				allErrs = append(allErrs, field.Invalid(src.Child("serviceAccountToken", "expirationSeconds"), *t.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"))
			}
			if t.Path == "" {
				allErrs = append(allErrs, field.Required(fldPath.Child("path"), ""))
			} else {
				allErrs = append(allErrs, validateLocalNonReservedPath(t.Path, fldPath.Child("path"))...)
			}
		}
		if s.ClusterTrustBundle != nil {
			n++
			ctb := s.ClusterTrustBundle
			p := src.Child("clusterTrustBundle")
			if (ctb.Name == nil) == (ctb.SignerName == nil) {
				if ctb.Name == nil {
					allErrs = append(allErrs, field.Required(p, "either name or signerName must be specified"))
				} else {
					allErrs = append(allErrs, field.Invalid(p, ctb, "only one of name and signerName may be used"))
				}
			}
			if ctb.Path == "" {
				allErrs = append(allErrs, field.Required(p.Child("path"), ""))
			}
			allErrs = append(allErrs, validateLocalNonReservedPath(ctb.Path, p.Child("path"))...)
			addPath(ctb.Path, ctb.Path)
		}
		if s.PodCertificate != nil {
			n++
		}
		if n > 1 {
			allErrs = append(allErrs, field.Forbidden(src, "may not specify more than 1 volume type per source"))
		}
	}
	return allErrs
}

func validateCSIDriverName(driver string, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if driver == "" {
		allErrs = append(allErrs, field.Required(fldPath, ""))
	}
	if len(driver) > 63 {
		allErrs = append(allErrs, field.TooLong(fldPath, "", 63))
	}
	return append(allErrs, invalidEach(fldPath, driver, dnsSubdomainMsgs(strings.ToLower(driver)))...)
}

// validateEphemeralVolume checks a generic ephemeral volume's claim template;
// its PVC will be named <pod>-<volume>, which must itself be a valid name.
func validateEphemeralVolume(e *corev1.EphemeralVolumeSource, volName string, podMeta *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	if e.VolumeClaimTemplate == nil {
		return field.ErrorList{field.Required(fldPath.Child("volumeClaimTemplate"), "")}
	}
	t := e.VolumeClaimTemplate
	tp := fldPath.Child("volumeClaimTemplate")
	allErrs := validateTemplateObjectMeta(&t.ObjectMeta, tp.Child("metadata"))
	allErrs = append(allErrs, validatePersistentVolumeClaimSpec(&t.Spec, tp.Child("spec"))...)
	if podMeta != nil && podMeta.Name != "" && volName != "" {
		pvcName := podMeta.Name + "-" + volName
		for _, msg := range nameIsDNSSubdomain(pvcName, false) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("name"), volName, fmt.Sprintf("PVC name %q: %v", pvcName, msg)))
		}
	}
	return allErrs
}

// validateTemplateObjectMeta allows only labels and annotations on an
// embedded claim template's metadata.
func validateTemplateObjectMeta(m *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	allErrs := validateAnnotations(m.Annotations, fldPath.Child("annotations"))
	allErrs = append(allErrs, metav1validation.ValidateLabels(m.Labels, fldPath.Child("labels"))...)
	rest := m.DeepCopy()
	rest.Labels, rest.Annotations = nil, nil
	if rest.Name != "" {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("name"), "cannot be set"))
	}
	if rest.Namespace != "" {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("namespace"), "cannot be set"))
	}
	if rest.GenerateName != "" {
		allErrs = append(allErrs, field.Forbidden(fldPath.Child("generateName"), "cannot be set"))
	}
	return allErrs
}
