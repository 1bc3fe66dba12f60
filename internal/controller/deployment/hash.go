package deployment

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/dump"
)

// hashLabel is the label that ties a ReplicaSet's pods to one template
// (appsv1.DefaultDeploymentUniqueLabelKey).
const hashLabel = appsv1.DefaultDeploymentUniqueLabelKey

// templateHash is the pod-template-hash of template, computed as Kubernetes
// does so names and labels match a real cluster's: FNV-32a over the
// template's deterministic dump, plus the collision count (little-endian,
// 8 bytes) when set, rendered with the consonant-and-digit alphabet that
// cannot spell words.
func templateHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(*template))
	if collisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*collisionCount))
		h.Write(b)
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// equalIgnoreHash: the templates are the same apart from the
// pod-template-hash label. This is how a Deployment recognises the
// ReplicaSet of its current template — including an old one after
// `kubectl rollout undo` copied that template back.
func equalIgnoreHash(a, b *corev1.PodTemplateSpec) bool {
	a, b = a.DeepCopy(), b.DeepCopy()
	delete(a.Labels, hashLabel)
	delete(b.Labels, hashLabel)
	if len(a.Labels) == 0 {
		a.Labels = nil
	}
	if len(b.Labels) == 0 {
		b.Labels = nil
	}
	return equality.Semantic.DeepEqual(a, b)
}

// withLabel returns a copy of m with k=v added.
func withLabel(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}

// selectorWithLabel returns a copy of sel that also requires k=v.
func selectorWithLabel(sel *metav1.LabelSelector, k, v string) *metav1.LabelSelector {
	out := sel.DeepCopy()
	if out == nil {
		out = &metav1.LabelSelector{}
	}
	out.MatchLabels = withLabel(out.MatchLabels, k, v)
	return out
}
