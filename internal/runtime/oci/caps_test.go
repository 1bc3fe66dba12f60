package oci

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestCapabilities(t *testing.T) {
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(defaultCaps), func(s string) bool { return slices.Contains(drop, s) })
	}
	tests := []struct {
		name       string
		privileged bool
		caps       *corev1.Capabilities
		want       []string
	}{
		{"default", false, nil, defaultCaps},
		{"privileged", true, &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}, allCaps},
		{"add", false, &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "CAP_SYS_TIME", "chown"}}, append(slices.Clone(defaultCaps), "CAP_NET_ADMIN", "CAP_SYS_TIME")},
		{"drop", false, &corev1.Capabilities{Drop: []corev1.Capability{"NET_RAW", "KILL"}}, without("CAP_NET_RAW", "CAP_KILL")},
		{"drop all add one", false, &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}, []string{"CAP_NET_BIND_SERVICE"}},
		{"drop all", false, &corev1.Capabilities{Drop: []corev1.Capability{"all"}}, []string{}},
		{"add all drop one", false, &corev1.Capabilities{Add: []corev1.Capability{"ALL"}, Drop: []corev1.Capability{"SYS_ADMIN"}},
			slices.DeleteFunc(slices.Clone(allCaps), func(s string) bool { return s == "CAP_SYS_ADMIN" })},
	}
	for _, tt := range tests {
		if got := capabilities(tt.privileged, tt.caps); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}
