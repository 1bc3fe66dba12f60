package ephemeral

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClaimsFor(t *testing.T) {
	sc := "local-path"
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "pod-uid"}, Spec: corev1.PodSpec{Volumes: []corev1.Volume{
		{Name: "cfg", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"type": "scratch"}},
			Spec:       corev1.PersistentVolumeClaimSpec{StorageClassName: &sc},
		}}}},
	}}}
	claims := ClaimsFor(pod)
	if len(claims) != 1 {
		t.Fatalf("got %d claims", len(claims))
	}
	c := claims[0]
	if c.Name != "web-scratch" || c.Namespace != "ns" || c.Labels["type"] != "scratch" || *c.Spec.StorageClassName != sc {
		t.Errorf("claim %+v", c)
	}
	if err := OwnedBy(c, pod); err != nil {
		t.Errorf("own claim: %v", err)
	}
	other := c.DeepCopy()
	other.OwnerReferences = nil
	if err := OwnedBy(other, pod); err == nil || err.Error() != "PVC ns/web-scratch was not created for pod ns/web (pod is not owner)" {
		t.Errorf("foreign claim: %v", err)
	}
}
