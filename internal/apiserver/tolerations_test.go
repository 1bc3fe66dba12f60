package apiserver

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

func TestDefaultTolerationSeconds(t *testing.T) {
	d := DefaultTolerationSeconds{NotReady: 300, Unreachable: 200}
	s := func(v int64) *int64 { return &v }
	notReady := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s(300)}
	unreachable := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s(200)}
	own := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s(5)}
	noSchedule := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	anyEffect := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists}
	everything := corev1.Toleration{Operator: corev1.TolerationOpExists}
	tests := []struct {
		name string
		have []corev1.Toleration
		want []corev1.Toleration
	}{
		{"none: both added", nil, []corev1.Toleration{notReady, unreachable}},
		{"own unreachable kept, not-ready added", []corev1.Toleration{own}, []corev1.Toleration{own, notReady}},
		{"NoSchedule toleration does not count", []corev1.Toleration{noSchedule}, []corev1.Toleration{noSchedule, notReady, unreachable}},
		{"empty effect counts", []corev1.Toleration{anyEffect}, []corev1.Toleration{anyEffect, unreachable}},
		{"tolerate-everything counts for both", []corev1.Toleration{everything}, []corev1.Toleration{everything}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := corev1.PodSpec{Tolerations: tc.have}
			d.addDefaultTolerations(&spec)
			if !apiequality.Semantic.DeepEqual(spec.Tolerations, tc.want) {
				t.Fatalf("got %+v\nwant %+v", spec.Tolerations, tc.want)
			}
		})
	}
}
