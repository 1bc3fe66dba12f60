package printers

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func template(names ...string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: containers(names...)}}
}

var appSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}

func TestDeploymentCells(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: objMeta("web", 26*time.Hour)}
	d.Spec.Replicas = ptr(int32(3))
	d.Spec.Selector = appSelector
	d.Spec.Template = template("nginx", "exporter")
	d.Status = appsv1.DeploymentStatus{ReadyReplicas: 2, UpdatedReplicas: 3, AvailableReplicas: 2}
	checkCells(t, len(deploymentColumns), deploymentCells(d, now),
		row{"web", "2/3", int64(3), int64(2), "26h", "nginx,exporter", "nginx:1,exporter:1", "app=web"})

	// A selector that cannot be parsed prints <invalid>; no selector prints empty.
	d.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "Bogus"}}}
	if got := deploymentCells(d, now)[7]; got != "<invalid>" {
		t.Errorf("bad selector: got %v", got)
	}
	d.Spec.Selector = nil
	if got := deploymentCells(d, now)[7]; got != "" {
		t.Errorf("nil selector: got %q", got)
	}
}

func TestReplicaSetCells(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: objMeta("web-6d4cf56db6", 26*time.Hour)}
	rs.Spec.Replicas = ptr(int32(3))
	rs.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "pod-template-hash": "6d4cf56db6"}}
	rs.Spec.Template = template("nginx")
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 3, ReadyReplicas: 1}
	checkCells(t, len(replicaSetColumns), replicaSetCells(rs, now),
		row{"web-6d4cf56db6", int64(3), int64(3), int64(1), "26h", "nginx", "nginx:1", "app=web,pod-template-hash=6d4cf56db6"})

	rs.Spec.Selector = &metav1.LabelSelector{}
	if got := replicaSetCells(rs, now)[7]; got != "<none>" {
		t.Errorf("empty selector: got %q, want <none>", got)
	}
}

func TestStatefulSetCells(t *testing.T) {
	ss := &appsv1.StatefulSet{ObjectMeta: objMeta("db", 4*time.Minute+30*time.Second)}
	ss.Spec.Replicas = ptr(int32(3))
	ss.Spec.Template = template("postgres")
	ss.Status.ReadyReplicas = 1
	checkCells(t, len(statefulSetColumns), statefulSetCells(ss, now), row{"db", "1/3", "4m30s", "postgres", "postgres:1"})
}

func TestDaemonSetCells(t *testing.T) {
	ds := &appsv1.DaemonSet{ObjectMeta: objMeta("kube-proxy", 9*24*time.Hour)}
	ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-proxy"}}
	ds.Spec.Template = template("kube-proxy")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	ds.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 2, UpdatedNumberScheduled: 3, NumberAvailable: 2}
	checkCells(t, len(daemonSetColumns), daemonSetCells(ds, now),
		row{"kube-proxy", int64(3), int64(3), int64(2), int64(3), int64(2), "kubernetes.io/os=linux", "9d", "kube-proxy", "kube-proxy:1", "k8s-app=kube-proxy"})

	ds.Spec.Template.Spec.NodeSelector = nil
	if got := daemonSetCells(ds, now)[6]; got != "<none>" {
		t.Errorf("no node selector: got %q, want <none>", got)
	}
}

func TestControllerRevisionCells(t *testing.T) {
	tests := []struct {
		name   string
		owners []metav1.OwnerReference
		want   string
	}{
		{"owned by a statefulset", []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "web", Controller: ptr(true)}}, "statefulset.apps/web"},
		{"owned by a core kind", []metav1.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: "p", Controller: ptr(true)}}, "pod/p"},
		{"owner that is not the controller", []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "ds"}}, "<none>"},
		{"no owner", nil, "<none>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cr := &appsv1.ControllerRevision{ObjectMeta: objMeta("web-7b9c8d", time.Hour), Revision: 2}
			cr.OwnerReferences = tc.owners
			checkCells(t, len(controllerRevisionColumns), controllerRevisionCells(cr, now), row{"web-7b9c8d", tc.want, int64(2), "60m"})
		})
	}
}

func TestPodDisruptionBudgetCells(t *testing.T) {
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: objMeta("web", time.Hour)}
	pdb.Spec.MinAvailable = ptr(intstr.FromString("50%"))
	pdb.Status.DisruptionsAllowed = 1
	checkCells(t, len(podDisruptionBudgetColumns), podDisruptionBudgetCells(pdb, now), row{"web", "50%", "N/A", int64(1), "60m"})

	pdb.Spec.MinAvailable, pdb.Spec.MaxUnavailable = nil, ptr(intstr.FromInt32(1))
	checkCells(t, len(podDisruptionBudgetColumns), podDisruptionBudgetCells(pdb, now), row{"web", "N/A", "1", int64(1), "60m"})
}

func TestHorizontalPodAutoscalerCells(t *testing.T) {
	hpa := &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: objMeta("web", time.Hour)}
	hpa.Spec.ScaleTargetRef = autoscalingv1.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"}
	hpa.Spec.MaxReplicas = 10
	hpa.Status.CurrentReplicas = 2
	checkCells(t, len(horizontalPodAutoscalerColumns), horizontalPodAutoscalerCells(hpa, now),
		row{"web", "Deployment/web", "cpu: <unknown>/80%", "<unset>", int64(10), int64(2), "60m"})

	hpa.Spec.MinReplicas = ptr(int32(2))
	hpa.Spec.TargetCPUUtilizationPercentage = ptr(int32(50))
	hpa.Status.CurrentCPUUtilizationPercentage = ptr(int32(37))
	checkCells(t, len(horizontalPodAutoscalerColumns), horizontalPodAutoscalerCells(hpa, now),
		row{"web", "Deployment/web", "cpu: 37%/50%", "2", int64(10), int64(2), "60m"})
}
