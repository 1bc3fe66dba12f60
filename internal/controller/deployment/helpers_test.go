package deployment

import (
	"fmt"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func template(image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
	}
}

// dep is a RollingUpdate Deployment "web" of image with the given surge
// and unavailability ("" = default 25%).
func dep(replicas int32, surge, unavail, image string) *appsv1.Deployment {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "web-uid", Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To(replicas),
			Selector:                &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template:                template(image),
			Strategy:                appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{}},
			RevisionHistoryLimit:    ptr.To(int32(10)),
			ProgressDeadlineSeconds: ptr.To(int32(600)),
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1},
	}
	if surge != "" {
		v := intstr.Parse(surge)
		d.Spec.Strategy.RollingUpdate.MaxSurge = &v
	}
	if unavail != "" {
		v := intstr.Parse(unavail)
		d.Spec.Strategy.RollingUpdate.MaxUnavailable = &v
	}
	return d
}

func recreate(replicas int32, image string) *appsv1.Deployment {
	d := dep(replicas, "", "", image)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	return d
}

// rsOf is d's ReplicaSet for image, created at t0+created seconds, with
// spec and available replicas (status.replicas = ready = spec unless
// statusReplicas says otherwise) and a revision.
func rsOf(d *appsv1.Deployment, image string, created int, spec, avail int32, revision int) *appsv1.ReplicaSet {
	tmpl := template(image)
	hash := templateHash(&tmpl, nil)
	rs := newReplicaSet(&appsv1.Deployment{ObjectMeta: d.ObjectMeta, Spec: appsv1.DeploymentSpec{Selector: d.Spec.Selector, Template: tmpl}}, hash)
	rs.UID = types.UID("rs-" + image)
	rs.CreationTimestamp = metav1.NewTime(t0.Add(time.Duration(created) * time.Second))
	rs.Generation = 1
	rs.Spec.Replicas = ptr.To(spec)
	r := replicasOf(d)
	rs.Annotations = map[string]string{
		revisionAnnotation:        strconv.Itoa(revision),
		desiredReplicasAnnotation: strconv.Itoa(int(r)),
		maxReplicasAnnotation:     strconv.Itoa(int(r + maxSurge(withDefaults(d)))),
	}
	rs.Status = appsv1.ReplicaSetStatus{Replicas: spec, ReadyReplicas: avail, AvailableReplicas: avail, ObservedGeneration: 1}
	return rs
}

// sizes summarises writes as "name:from->to" (name shortened to the image
// the ReplicaSet runs), "+name:n" for creations.
func sizes(p Plan) []string {
	var out []string
	for _, w := range p.Writes {
		img := w.RS.Spec.Template.Spec.Containers[0].Image
		if w.Create {
			out = append(out, fmt.Sprintf("+%s:%d", img, replicasOf(w.RS)))
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d->%d", img, w.From, replicasOf(w.RS)))
	}
	return out
}
