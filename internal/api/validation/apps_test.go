package validation

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var webLabels = map[string]string{"app": "web"}

func validTemplate() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web", "tier": "front"}}, Spec: validPodSpec()}
}

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: "default"} }

func validDeployment() *appsv1.Deployment {
	return defaulted(&appsv1.Deployment{ObjectMeta: meta("web"), Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: webLabels}, Template: validTemplate()}})
}

func TestValidateDeploymentCreate(t *testing.T) {
	tpl := "spec.template"
	runCreateCases(t, validDeployment, []createCase[*appsv1.Deployment]{
		{name: "valid"},
		{name: "selector required", mutate: func(d *appsv1.Deployment) { d.Spec.Selector = nil },
			want: []want{req("spec.selector"), inv(tpl + ".metadata.labels")}},
		{name: "selector must match template", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "api"} },
			want: []want{inv(tpl + ".metadata.labels")}},
		{name: "empty selector", mutate: func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} }, want: []want{inv("spec.selector")}},
		{name: "negative replicas", mutate: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr(int32(-1)) }, want: []want{inv("spec.replicas")}},
		{name: "template must restart Always", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure },
			want: []want{unsup(tpl + ".spec.restartPolicy")}},
		{name: "template activeDeadlineSeconds", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.ActiveDeadlineSeconds = ptr(int64(30)) },
			want: []want{forbidden(tpl + ".spec.activeDeadlineSeconds")}},
		{name: "template pod spec is validated", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" },
			want: []want{req(tpl + ".spec.containers[0].image")}},
		{name: "host network template may leave hostPort unset", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.HostNetwork = true }},
		{name: "template labels reported under template.labels", mutate: func(d *appsv1.Deployment) { d.Spec.Template.Labels["bad key!"] = "x" },
			want: []want{inv(tpl + ".labels")}},
		{name: "maxSurge and maxUnavailable both zero", mutate: func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxSurge = ptr(intstr.FromInt32(0))
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("0%"))
		}, want: []want{inv("spec.strategy.rollingUpdate.maxUnavailable")}},
		{name: "maxUnavailable over 100%", mutate: func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("150%"))
		},
			want: []want{inv("spec.strategy.rollingUpdate.maxUnavailable")}},
		{name: "Recreate with rollingUpdate", mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType },
			want: []want{forbidden("spec.strategy.rollingUpdate")}},
		{name: "unknown strategy", mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.Type = "BlueGreen" }, want: []want{unsup("spec.strategy")}},
		{name: "progress deadline after minReadySeconds", mutate: func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = 600 },
			want: []want{inv("spec.progressDeadlineSeconds")}},
	})
	d := validDeployment()
	d.Spec.Template.Labels = map[string]string{"app": "api"}
	expectDetail(t, ValidateCreate(d), "spec.template.metadata.labels", "`selector` does not match template `labels`")
}

func TestValidateDeploymentUpdate(t *testing.T) {
	runUpdateCases(t, validDeployment, func(d *appsv1.Deployment) *appsv1.Deployment { return d.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*appsv1.Deployment]{
			{name: "scale and new image", mutate: func(d *appsv1.Deployment) {
				d.Spec.Replicas = ptr(int32(5))
				d.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"
			}},
			{name: "selector is immutable", mutate: func(d *appsv1.Deployment) { d.Spec.Selector.MatchLabels = map[string]string{"tier": "front"} },
				want: []want{inv("spec.selector")}},
		})
	runUpdateCases(t, validDeployment, func(d *appsv1.Deployment) *appsv1.Deployment { return d.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*appsv1.Deployment]{
			{name: "status", mutate: func(d *appsv1.Deployment) {
				d.Status = appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 1}
			}},
			{name: "ready above replicas", mutate: func(d *appsv1.Deployment) { d.Status = appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 2} },
				want: []want{inv("status.readyReplicas")}},
			{name: "negative count", mutate: func(d *appsv1.Deployment) { d.Status.UnavailableReplicas = -1 }, want: []want{inv("status.unavailableReplicas")}},
			{name: "collisionCount only grows", old: func(d *appsv1.Deployment) { d.Status.CollisionCount = ptr(int32(2)) },
				mutate: func(d *appsv1.Deployment) { d.Status.CollisionCount = ptr(int32(1)) }, want: []want{inv("status.collisionCount")}},
		})
}

func validReplicaSet() *appsv1.ReplicaSet {
	return defaulted(&appsv1.ReplicaSet{ObjectMeta: meta("web-abc"), Spec: appsv1.ReplicaSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: webLabels}, Template: validTemplate()}})
}

func TestValidateReplicaSet(t *testing.T) {
	runCreateCases(t, validReplicaSet, []createCase[*appsv1.ReplicaSet]{
		{name: "valid"},
		{name: "selector mismatch", mutate: func(rs *appsv1.ReplicaSet) {
			rs.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"db"}}}}
		}, want: []want{inv("spec.template.metadata.labels")}},
		{name: "bad selector operator", mutate: func(rs *appsv1.ReplicaSet) {
			rs.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Near"}}}
		}, want: []want{inv("spec.selector.matchExpressions[0].operator"), inv("spec.selector")}},
		{name: "negative minReadySeconds", mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.MinReadySeconds = -1 }, want: []want{inv("spec.minReadySeconds")}},
	})
	runUpdateCases(t, validReplicaSet, func(rs *appsv1.ReplicaSet) *appsv1.ReplicaSet { return rs.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*appsv1.ReplicaSet]{
			{name: "status", mutate: func(rs *appsv1.ReplicaSet) {
				rs.Status = appsv1.ReplicaSetStatus{Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1}
			}},
			{name: "available above ready", mutate: func(rs *appsv1.ReplicaSet) {
				rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, ReadyReplicas: 1, AvailableReplicas: 2}
			},
				want: []want{inv("status.availableReplicas")}},
		})
}

func validStatefulSet() *appsv1.StatefulSet {
	return defaulted(&appsv1.StatefulSet{ObjectMeta: meta("db"), Spec: appsv1.StatefulSetSpec{
		ServiceName: "db",
		Selector:    &metav1.LabelSelector{MatchLabels: webLabels},
		Template:    validTemplate(),
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "pgdata"}, Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		}}},
	}})
}

func TestValidateStatefulSet(t *testing.T) {
	runCreateCases(t, validStatefulSet, []createCase[*appsv1.StatefulSet]{
		{name: "valid"},
		{name: "name must be a DNS label", mutate: func(s *appsv1.StatefulSet) { s.Name = "db.example" }, want: []want{inv("metadata.name")}},
		{name: "selector required", mutate: func(s *appsv1.StatefulSet) { s.Spec.Selector = nil },
			want: []want{req("spec.selector"), inv("spec.template.metadata.labels")}},
		{name: "podManagementPolicy unknown", mutate: func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = "Random" }, want: []want{inv("spec.podManagementPolicy")}},
		{name: "negative partition", mutate: func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr(int32(-1)) },
			want: []want{inv("spec.updateStrategy.rollingUpdate.partition")}},
		{name: "OnDelete with rollingUpdate", mutate: func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType },
			want: []want{inv("spec.updateStrategy.rollingUpdate")}},
		{name: "retention policy unknown", mutate: func(s *appsv1.StatefulSet) { s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = "Archive" },
			want: []want{unsup("spec.persistentVolumeClaimRetentionPolicy.whenDeleted")}},
		{name: "template pod spec is not validated, as in Kubernetes", mutate: func(s *appsv1.StatefulSet) {
			s.Spec.Template.Spec.Containers[0].VolumeMounts = append(s.Spec.Template.Spec.Containers[0].VolumeMounts,
				corev1.VolumeMount{Name: "pgdata", MountPath: "/var/lib/db"}) // names a claim template, not a volume
		}},
		{name: "template must restart Always", mutate: func(s *appsv1.StatefulSet) { s.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever },
			want: []want{unsup("spec.template.spec.restartPolicy")}},
	})
	runUpdateCases(t, validStatefulSet, func(s *appsv1.StatefulSet) *appsv1.StatefulSet { return s.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*appsv1.StatefulSet]{
			{name: "scale, retemplate, partition", mutate: func(s *appsv1.StatefulSet) {
				s.Spec.Replicas = ptr(int32(3))
				s.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"
				s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr(int32(1))
				s.Spec.RevisionHistoryLimit = ptr(int32(3))
			}},
			{name: "serviceName is fixed", mutate: func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "other" }, want: []want{forbidden("spec")}},
			{name: "claim templates are fixed", mutate: func(s *appsv1.StatefulSet) { s.Spec.VolumeClaimTemplates = nil }, want: []want{forbidden("spec")}},
		})
}

func validDaemonSet() *appsv1.DaemonSet {
	return defaulted(&appsv1.DaemonSet{ObjectMeta: meta("agent"), Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: webLabels}, Template: validTemplate()}})
}

func TestValidateDaemonSet(t *testing.T) {
	ru := "spec.updateStrategy.rollingUpdate"
	runCreateCases(t, validDaemonSet, []createCase[*appsv1.DaemonSet]{
		{name: "valid"},
		{name: "nil selector only mismatches", mutate: func(d *appsv1.DaemonSet) { d.Spec.Selector = nil }, want: []want{inv("spec.template.metadata.labels")}},
		{name: "both surge and unavailable", mutate: func(d *appsv1.DaemonSet) { d.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr(intstr.FromInt32(1)) },
			want: []want{inv(ru + ".maxSurge")}},
		{name: "neither surge nor unavailable", mutate: func(d *appsv1.DaemonSet) {
			d.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromInt32(0))
		},
			want: []want{req(ru + ".maxUnavailable")}},
		{name: "unknown strategy", mutate: func(d *appsv1.DaemonSet) { d.Spec.UpdateStrategy.Type = "Canary" }, want: []want{unsup("spec.updateStrategy")}},
	})
	runUpdateCases(t, validDaemonSet, func(d *appsv1.DaemonSet) *appsv1.DaemonSet { return d.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*appsv1.DaemonSet]{
			{name: "retemplate", mutate: func(d *appsv1.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = "nginx:1.28" }},
			{name: "selector is immutable", mutate: func(d *appsv1.DaemonSet) {
				d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "front"}}
			},
				want: []want{inv("spec.selector")}},
		})
}

func TestValidateControllerRevision(t *testing.T) {
	valid := func() *appsv1.ControllerRevision {
		return &appsv1.ControllerRevision{ObjectMeta: meta("web-1"), Data: runtime.RawExtension{Raw: []byte(`{"spec":{}}`)}, Revision: 1}
	}
	runCreateCases(t, valid, []createCase[*appsv1.ControllerRevision]{
		{name: "valid"},
		{name: "data required", mutate: func(c *appsv1.ControllerRevision) { c.Data = runtime.RawExtension{} }, want: []want{req("data")}},
		{name: "negative revision", mutate: func(c *appsv1.ControllerRevision) { c.Revision = -1 }, want: []want{inv("revision")}},
	})
	runUpdateCases(t, valid, func(c *appsv1.ControllerRevision) *appsv1.ControllerRevision { return c.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*appsv1.ControllerRevision]{
			{name: "labels may change", mutate: func(c *appsv1.ControllerRevision) { c.Labels = map[string]string{"a": "b"} }},
			{name: "data is immutable", mutate: func(c *appsv1.ControllerRevision) { c.Data.Raw = []byte(`{"spec":{"x":1}}`) }, want: []want{inv("data")}},
		})
}
