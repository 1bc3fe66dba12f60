package agent

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPodFieldValue(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u", Labels: map[string]string{"app": "x"}},
		Spec: corev1.PodSpec{NodeName: "n1"}}
	tests := map[string]string{
		"metadata.name": "p", "metadata.namespace": "ns", "metadata.uid": "u", "spec.nodeName": "n1",
		"status.podIP": "10.42.0.5", "status.hostIP": "172.28.0.10", "metadata.labels['app']": "x",
	}
	for path, want := range tests {
		got, err := podFieldValue(pod, path, "10.42.0.5", "172.28.0.10")
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	if _, err := podFieldValue(pod, "spec.bogus", "", ""); err == nil {
		t.Error("unsupported path accepted")
	}
}
