package oci

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func TestCPUConversions(t *testing.T) {
	for milli, want := range map[int64]uint64{0: 2, 1: 2, 100: 102, 250: 256, 1000: 1024, 2500: 2560} {
		if got := milliCPUToShares(milli); got != want {
			t.Errorf("shares(%d) = %d, want %d", milli, got, want)
		}
	}
	for milli, want := range map[int64]int64{0: 0, 5: 1000, 100: 10000, 500: 50000, 2000: 200000} {
		if got := milliCPUToQuota(milli); got != want {
			t.Errorf("quota(%d) = %d, want %d", milli, got, want)
		}
	}
}

func TestQOSAndOOMScore(t *testing.T) {
	pod := func(res ...corev1.ResourceRequirements) *corev1.Pod {
		p := &corev1.Pod{}
		for _, r := range res {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Resources: r})
		}
		return p
	}
	const gi = int64(1 << 30)
	tests := []struct {
		name string
		pod  *corev1.Pod
		qos  corev1.PodQOSClass
		oom  int
	}{
		{"best effort", pod(corev1.ResourceRequirements{}), corev1.PodQOSBestEffort, 1000},
		{"guaranteed", pod(corev1.ResourceRequirements{Limits: rl("cpu", "1", "memory", "1Gi"), Requests: rl("cpu", "1", "memory", "1Gi")}), corev1.PodQOSGuaranteed, -997},
		{"guaranteed by limits only", pod(corev1.ResourceRequirements{Limits: rl("cpu", "1", "memory", "1Gi")}), corev1.PodQOSGuaranteed, -997},
		{"burstable quarter", pod(corev1.ResourceRequirements{Requests: rl("memory", "1Gi")}), corev1.PodQOSBurstable, 750},
		{"burstable tiny", pod(corev1.ResourceRequirements{Requests: rl("cpu", "100m")}), corev1.PodQOSBurstable, 999},
		{"burstable huge", pod(corev1.ResourceRequirements{Requests: rl("memory", "4Gi")}), corev1.PodQOSBurstable, 3},
		{"one of two limited", pod(corev1.ResourceRequirements{Limits: rl("cpu", "1", "memory", "1Gi")}, corev1.ResourceRequirements{}), corev1.PodQOSBurstable, 1000 - 0},
	}
	for _, tt := range tests {
		if got := qosClass(tt.pod); got != tt.qos {
			t.Errorf("%s: qos %s, want %s", tt.name, got, tt.qos)
		}
		c := &tt.pod.Spec.Containers[len(tt.pod.Spec.Containers)-1]
		got := oomScoreAdj(tt.pod, c, 4*gi)
		want := tt.oom
		if want == 1000 && tt.qos == corev1.PodQOSBurstable {
			want = 999
		}
		if got == nil || *got != want {
			t.Errorf("%s: oom %v, want %d", tt.name, got, want)
		}
	}
	if oomScoreAdj(pod(corev1.ResourceRequirements{Requests: rl("memory", "1Gi")}), &corev1.Container{}, 0) != nil {
		t.Error("burstable without capacity should give no score")
	}
	p := pod(corev1.ResourceRequirements{})
	p.Status.QOSClass = corev1.PodQOSGuaranteed
	if qosClass(p) != corev1.PodQOSGuaranteed {
		t.Error("recorded QoS class ignored")
	}
}
