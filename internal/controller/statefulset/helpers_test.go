package statefulset

import (
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// now is when test pods' readiness is measured: an hour after t0.
var now = t0.Add(time.Hour)

func testSet(replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "set-uid", Generation: 1},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(replicas),
			ServiceName: "nginx",
			Selector:    &metav1.LabelSelector{MatchLabels: map[string]string{"app": "nginx"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "nginx"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "v1"}}},
			},
			PodManagementPolicy: appsv1.OrderedReadyPodManagement,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To(int32(0))},
			},
		},
	}
}

func withClaims(set *appsv1.StatefulSet, whenDeleted, whenScaled appsv1.PersistentVolumeClaimRetentionPolicyType) *appsv1.StatefulSet {
	set.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
		ObjectMeta: metav1.ObjectMeta{Name: "www", Labels: map[string]string{"tier": "data"}},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}}
	set.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: whenDeleted, WhenScaled: whenScaled}
	return set
}

// spod is pod web-<ord> at revision rev in state: "ready" (Running and
// Ready for an hour), "fresh" (ready for 5s), "running" (not ready),
// "pending", "failed", "terminating" (ready, being deleted).
func spod(ord int, rev, state string) *corev1.Pod {
	name := "web-" + strconv.Itoa(ord)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "ns", Name: name, UID: types.UID("uid-" + name),
			Labels: map[string]string{"app": "nginx", podNameLabel: name, podIndexLabel: strconv.Itoa(ord), revisionLabel: rev},
		},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	ready := func(since time.Duration) {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-since))}}
	}
	switch state {
	case "ready":
		ready(time.Hour)
	case "fresh":
		ready(5 * time.Second)
	case "pending":
		p.Status.Phase = corev1.PodPending
	case "failed":
		p.Status.Phase = corev1.PodFailed
	case "terminating":
		ready(time.Hour)
		p.DeletionTimestamp = ptr.To(metav1.NewTime(now))
	}
	return p
}

// describe renders a decision's actions as "create web-1", "delete web-2", …
func describe(d decision) string {
	var out []string
	for _, a := range d.Actions {
		s := a.Type.String() + " " + a.Pod.Name
		if a.Type == createPod {
			s += "@" + revisionOf(a.Pod)
		}
		for _, c := range a.Claims {
			s += " +" + c.Name
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}
