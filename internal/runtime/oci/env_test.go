package oci

import (
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestBuildEnv(t *testing.T) {
	fromField := &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}
	tests := []struct {
		name     string
		image    []string
		hostname string
		base     []corev1.EnvVar
		env      []corev1.EnvVar
		want     []string
		wantOwn  map[string]string
	}{
		{
			name:  "default PATH when the image has none",
			image: nil, hostname: "web-0",
			want:    []string{"PATH=" + defaultPath, "HOSTNAME=web-0"},
			wantOwn: map[string]string{},
		},
		{
			name:     "container overrides image in place",
			image:    []string{"PATH=/bin", "LANG=C", "NOVAL"},
			hostname: "h",
			env:      []corev1.EnvVar{{Name: "LANG", Value: "en"}, {Name: "X", Value: "1"}},
			want:     []string{"PATH=/bin", "LANG=en", "NOVAL=", "HOSTNAME=h", "X=1"},
			wantOwn:  map[string]string{"LANG": "en", "X": "1"},
		},
		{
			name:    "expansion from earlier container vars, not the image's",
			image:   []string{"PATH=/bin", "IMG=i"},
			base:    []corev1.EnvVar{{Name: "SVC_HOST", Value: "10.0.0.1"}},
			env:     []corev1.EnvVar{{Name: "URL", Value: "http://$(SVC_HOST):$(PORT)/$(IMG)"}, {Name: "PORT", Value: "80"}, {Name: "IP", Value: "$(PORT)", ValueFrom: fromField}},
			want:    []string{"PATH=/bin", "IMG=i", "SVC_HOST=10.0.0.1", "URL=http://10.0.0.1:$(PORT)/$(IMG)", "PORT=80", "IP=$(PORT)"},
			wantOwn: map[string]string{"SVC_HOST": "10.0.0.1", "URL": "http://10.0.0.1:$(PORT)/$(IMG)", "PORT": "80", "IP": "$(PORT)"},
		},
	}
	for _, tt := range tests {
		got, own := buildEnv(tt.image, tt.hostname, tt.base, tt.env)
		if !slices.Equal(got, tt.want) || !maps.Equal(own, tt.wantOwn) {
			t.Errorf("%s:\n got  %q %v\n want %q %v", tt.name, got, own, tt.want, tt.wantOwn)
		}
	}
}
