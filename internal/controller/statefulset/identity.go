package statefulset

import (
	"maps"
	"regexp"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// controllerKind is what the controller's references say.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("StatefulSet")

// Labels the controller puts on its pods.
const (
	podNameLabel  = appsv1.StatefulSetPodNameLabel        // statefulset.kubernetes.io/pod-name
	podIndexLabel = appsv1.PodIndexLabel                  // apps.kubernetes.io/pod-index
	revisionLabel = appsv1.ControllerRevisionHashLabelKey // controller-revision-hash: the revision's name
)

// ordinalPattern splits a pod name into the set's name and the ordinal.
var ordinalPattern = regexp.MustCompile(`^(.*)-([0-9]+)$`)

// parentAndOrdinal returns the set name and ordinal a pod name encodes;
// ordinal -1 when it encodes none.
func parentAndOrdinal(name string) (string, int) {
	m := ordinalPattern.FindStringSubmatch(name)
	if m == nil {
		return "", -1
	}
	ord, err := strconv.Atoi(m[2])
	if err != nil {
		return "", -1
	}
	return m[1], ord
}

// ordinalOf is a pod's ordinal, -1 if its name has none.
func ordinalOf(p *corev1.Pod) int {
	_, ord := parentAndOrdinal(p.Name)
	return ord
}

// isMember: the pod's name says it belongs to set.
func isMember(set *appsv1.StatefulSet, p *corev1.Pod) bool {
	parent, ord := parentAndOrdinal(p.Name)
	return ord >= 0 && parent == set.Name
}

// startOrdinal is spec.ordinals.start, 0 when unset.
func startOrdinal(set *appsv1.StatefulSet) int {
	if set.Spec.Ordinals != nil {
		return int(set.Spec.Ordinals.Start)
	}
	return 0
}

// replicaCount is spec.replicas, 1 when unset (the API defaults it).
func replicaCount(set *appsv1.StatefulSet) int {
	if set.Spec.Replicas == nil {
		return 1
	}
	return int(*set.Spec.Replicas)
}

// inRange: ordinal is one of the set's live replicas, [start, start+replicas).
func inRange(set *appsv1.StatefulSet, ordinal int) bool {
	start := startOrdinal(set)
	return ordinal >= start && ordinal < start+replicaCount(set)
}

func podName(set *appsv1.StatefulSet, ordinal int) string {
	return set.Name + "-" + strconv.Itoa(ordinal)
}

func claimName(set *appsv1.StatefulSet, template string, ordinal int) string {
	return template + "-" + set.Name + "-" + strconv.Itoa(ordinal)
}

// revisionOf is the revision a pod was made from: its
// controller-revision-hash label, which for StatefulSets holds the
// ControllerRevision's name.
func revisionOf(p *corev1.Pod) string { return p.Labels[revisionLabel] }

// newPod is the pod for ordinal from the template of tmplSet (the set at
// the revision named revision): name, identity labels, hostname and
// subdomain, the claims' volumes, a controller reference to set.
func newPod(set *appsv1.StatefulSet, tmpl *corev1.PodTemplateSpec, revision string, ordinal int) *corev1.Pod {
	t := tmpl.DeepCopy()
	name := podName(set, ordinal)
	lbls := maps.Clone(t.Labels)
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[podNameLabel] = name
	lbls[podIndexLabel] = strconv.Itoa(ordinal)
	lbls[revisionLabel] = revision
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:            name,
			Namespace:       set.Namespace,
			Labels:          lbls,
			Annotations:     maps.Clone(t.Annotations),
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(set, controllerKind)},
		},
		Spec: t.Spec,
	}
	p.Spec.Hostname = name
	p.Spec.Subdomain = set.Spec.ServiceName
	p.Spec.Volumes = podVolumes(set, p.Spec.Volumes, ordinal)
	return p
}

// podVolumes puts a claim volume for every volumeClaimTemplate first,
// replacing a template volume of the same name, then the template's other
// volumes.
func podVolumes(set *appsv1.StatefulSet, volumes []corev1.Volume, ordinal int) []corev1.Volume {
	if len(set.Spec.VolumeClaimTemplates) == 0 {
		return volumes
	}
	fromClaims := map[string]bool{}
	var out []corev1.Volume
	for _, ct := range set.Spec.VolumeClaimTemplates {
		fromClaims[ct.Name] = true
		out = append(out, corev1.Volume{
			Name: ct.Name,
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
				ClaimName: claimName(set, ct.Name, ordinal),
			}},
		})
	}
	for _, v := range volumes {
		if !fromClaims[v.Name] {
			out = append(out, v)
		}
	}
	return out
}

// identityMatches: the pod carries the name and identity labels of its
// ordinal in set.
func identityMatches(set *appsv1.StatefulSet, p *corev1.Pod) bool {
	parent, ord := parentAndOrdinal(p.Name)
	return ord >= 0 && parent == set.Name && p.Namespace == set.Namespace &&
		p.Labels[podNameLabel] == p.Name && p.Labels[podIndexLabel] == strconv.Itoa(ord)
}

// identityLabels are the labels identityMatches wants.
func identityLabels(p *corev1.Pod) map[string]string {
	return map[string]string{podNameLabel: p.Name, podIndexLabel: strconv.Itoa(ordinalOf(p))}
}

// newClaim is the claim of template ct for ordinal: the template with its
// name, the set's namespace and, over the template's labels, the set's
// selector labels (as Kubernetes does). Owner references are the retention
// policy's (retention.go).
func newClaim(set *appsv1.StatefulSet, ct *corev1.PersistentVolumeClaim, ordinal int) *corev1.PersistentVolumeClaim {
	c := ct.DeepCopy()
	c.ObjectMeta = metav1.ObjectMeta{
		Name:        claimName(set, ct.Name, ordinal),
		Namespace:   set.Namespace,
		Labels:      maps.Clone(ct.Labels),
		Annotations: maps.Clone(ct.Annotations),
		Finalizers:  ct.Finalizers,
	}
	if set.Spec.Selector != nil && len(set.Spec.Selector.MatchLabels) > 0 {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		maps.Copy(c.Labels, set.Spec.Selector.MatchLabels)
	}
	c.Status = corev1.PersistentVolumeClaimStatus{}
	return c
}
