package replicaset

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// controllerKind is what the controller's references say.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("ReplicaSet")

// burstReplicas caps the creations or deletions of one pass, as Kubernetes'
// --replicaset-burst default does; the rest follows in the next pass.
const burstReplicas = 500

// claimResult sorts a ReplicaSet's candidate pods.
type claimResult struct {
	Owned   []*corev1.Pod // controlled by the ReplicaSet and matching
	Adopt   []*corev1.Pod // matching orphans to take over
	Release []*corev1.Pod // controlled but no longer matching
}

// claim applies the controller-reference rule to pods (all pods of the
// namespace, or any subset).
func claim(rs *appsv1.ReplicaSet, selector labels.Selector, pods []*corev1.Pod) claimResult {
	var r claimResult
	for _, p := range pods {
		switch podutil.Claim(rs, p, selector.Matches(labels.Set(p.Labels))) {
		case podutil.Keep:
			r.Owned = append(r.Owned, p)
		case podutil.Adopt:
			r.Adopt = append(r.Adopt, p)
		case podutil.Release:
			r.Release = append(r.Release, p)
		}
	}
	return r
}

// activePods keeps the pods that count towards replicas.
func activePods(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if podutil.IsActive(p) {
			out = append(out, p)
		}
	}
	return out
}

// replicasDiff is how many pods to create (> 0) or delete (< 0) so that
// active pods meet want, at most burstReplicas either way.
func replicasDiff(active int, want int32) int {
	d := int(want) - active
	return max(min(d, burstReplicas), -burstReplicas)
}

// wantReplicas is spec.replicas, 1 when unset as the API defaults it.
func wantReplicas(rs *appsv1.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 1
	}
	return *rs.Spec.Replicas
}

// newPod is the pod the ReplicaSet creates: its template's metadata and
// spec, a generated name "<rs>-xxxxx" and a controller reference.
func newPod(rs *appsv1.ReplicaSet) *corev1.Pod {
	t := rs.Spec.Template.DeepCopy()
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    rs.Name + "-",
			Namespace:       rs.Namespace,
			Labels:          maps.Clone(t.Labels),
			Annotations:     maps.Clone(t.Annotations),
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(rs, controllerKind)},
		},
		Spec: t.Spec,
	}
}
