package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPullPolicyFor(t *testing.T) {
	cases := []struct {
		image string
		tag   string
		want  corev1.PullPolicy
	}{
		{"nginx", "latest", corev1.PullAlways},
		{"nginx:latest", "latest", corev1.PullAlways},
		{"nginx:1.27", "1.27", corev1.PullIfNotPresent},
		{"registry.k8s.io/pause:3.10", "3.10", corev1.PullIfNotPresent},
		{"localhost:5000/app", "latest", corev1.PullAlways},
		{"localhost:5000/app:v2", "v2", corev1.PullIfNotPresent},
		{"quay.io/org/app@sha256:abcdef", "", corev1.PullIfNotPresent},
		{"app:v1@sha256:abcdef", "v1", corev1.PullIfNotPresent},
		{"docker.io/Library/nginx", "", corev1.PullIfNotPresent},    // uppercase repository: not a reference
		{"MyRegistry.example.com/app", "latest", corev1.PullAlways}, // hosts may be mixed case
		{"", "", corev1.PullIfNotPresent},
		{" nginx", "", corev1.PullIfNotPresent},
		{"nginx:", "", corev1.PullIfNotPresent},
	}
	for _, c := range cases {
		if got := imageTag(c.image); got != c.tag {
			t.Errorf("imageTag(%q) = %q, want %q", c.image, got, c.tag)
		}
		if got := pullPolicyFor(c.image); got != c.want {
			t.Errorf("pullPolicyFor(%q) = %q, want %q", c.image, got, c.want)
		}
	}
}
