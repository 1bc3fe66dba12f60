package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
)

func TestPodRequests(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	ctr := func(kv ...string) corev1.Container {
		return corev1.Container{Resources: corev1.ResourceRequirements{Requests: rl(kv...)}}
	}
	sidecar := func(kv ...string) corev1.Container {
		c := ctr(kv...)
		c.RestartPolicy = &always
		return c
	}
	const mi = 1024 * 1024
	tests := []struct {
		name          string
		spec          corev1.PodSpec
		want, nonZero resources
	}{
		{
			name:    "no requests: zero, but defaults for scoring",
			spec:    corev1.PodSpec{Containers: []corev1.Container{{}}},
			nonZero: resources{MilliCPU: 100, Memory: 200 * mi},
		},
		{
			name: "containers add up",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("cpu", "250m", "memory", "64Mi"), ctr("cpu", "1", "memory", "64Mi")}},
			want: resources{MilliCPU: 1250, Memory: 128 * mi}, nonZero: resources{MilliCPU: 1250, Memory: 128 * mi},
		},
		{
			name: "an explicit zero is not replaced by a default",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("cpu", "0")}},
			want: resources{}, nonZero: resources{Memory: 200 * mi},
		},
		{
			name: "the largest init container wins when larger than the app",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("cpu", "2"), ctr("cpu", "500m", "memory", "1Gi")},
				Containers:     []corev1.Container{ctr("cpu", "1", "memory", "100Mi")},
			},
			want:    resources{MilliCPU: 2000, Memory: 1024 * mi},
			nonZero: resources{MilliCPU: 2000, Memory: 1024 * mi},
		},
		{
			name: "sidecars run alongside both later init containers and the app",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{sidecar("cpu", "1"), ctr("cpu", "2"), sidecar("cpu", "500m")},
				Containers:     []corev1.Container{ctr("cpu", "1")},
			},
			// init peak: 1 (sidecar) + 2 = 3; steady: 1 + 0.5 + 1 = 2.5
			want:    resources{MilliCPU: 3000},
			nonZero: resources{MilliCPU: 3000, Memory: 600 * mi}, // three containers running together
		},
		{
			name: "overhead is added",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("cpu", "1")}, Overhead: rl("cpu", "100m", "memory", "10Mi")},
			want: resources{MilliCPU: 1100, Memory: 10 * mi}, nonZero: resources{MilliCPU: 1100, Memory: 210 * mi},
		},
		{
			name: "pod-level requests replace cpu and memory",
			spec: corev1.PodSpec{
				Containers: []corev1.Container{ctr("cpu", "1", "ephemeral-storage", "1Gi")},
				Resources:  &corev1.ResourceRequirements{Requests: rl("cpu", "3", "memory", "1Gi")},
			},
			want:    resources{MilliCPU: 3000, Memory: 1024 * mi, EphemeralStorage: 1024 * mi},
			nonZero: resources{MilliCPU: 3000, Memory: 1024 * mi, EphemeralStorage: 1024 * mi},
		},
		{
			name: "extended resources and hugepages are scalars",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("example.com/gpu", "1"), ctr("example.com/gpu", "2", "hugepages-2Mi", "4Mi")}},
			want: resources{Scalar: map[corev1.ResourceName]int64{"example.com/gpu": 3, "hugepages-2Mi": 4 * mi}},
			nonZero: resources{MilliCPU: 200, Memory: 400 * mi,
				Scalar: map[corev1.ResourceName]int64{"example.com/gpu": 3, "hugepages-2Mi": 4 * mi}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: tt.spec}
			if diff := cmp.Diff(tt.want, podRequests(pod, false), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.nonZero, podRequests(pod, true), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("non-zero requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResourcesOfSkipsPods(t *testing.T) {
	r := resourcesOf(rl("cpu", "1500m", "pods", "110", "memory", "1k"))
	if r.MilliCPU != 1500 || r.Memory != 1000 || len(r.Scalar) != 0 {
		t.Errorf("got %+v", r)
	}
}
