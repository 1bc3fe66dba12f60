package apiserver

import (
	"context"
	"net"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func resByKind(kind string) resource {
	for _, r := range servedResources {
		if r.kind == kind {
			return r
		}
	}
	panic(kind)
}

func TestPrepareForCreateClearsStatusAndSetsGeneration(t *testing.T) {
	st := newStrategy(resByKind("Deployment"))
	d := &appsv1.Deployment{Status: appsv1.DeploymentStatus{Replicas: 5}}
	st.PrepareForCreate(context.Background(), d)
	if d.Status.Replicas != 0 || d.Generation != 1 {
		t.Fatalf("status %v generation %d", d.Status, d.Generation)
	}
	cm := &corev1.ConfigMap{}
	newStrategy(resByKind("ConfigMap")).PrepareForCreate(context.Background(), cm)
	if cm.Generation != 0 {
		t.Fatalf("ConfigMap has no spec, generation %d", cm.Generation)
	}
	node := &corev1.Node{Status: corev1.NodeStatus{Phase: corev1.NodeRunning}}
	newStrategy(resByKind("Node")).PrepareForCreate(context.Background(), node)
	if node.Status.Phase != corev1.NodeRunning {
		t.Fatal("node status must survive create (kubelets register with it)")
	}
}

func TestPrepareForUpdate(t *testing.T) {
	st := newStrategy(resByKind("Deployment"))
	three, four := int32(3), int32(4)
	old := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Spec: appsv1.DeploymentSpec{Replicas: &three}, Status: appsv1.DeploymentStatus{Replicas: 3}}
	tests := []struct {
		name    string
		mutate  func(d *appsv1.Deployment)
		wantGen int64
	}{
		{"metadata only", func(d *appsv1.Deployment) { d.Labels = map[string]string{"a": "b"} }, 2},
		{"spec change", func(d *appsv1.Deployment) { d.Spec.Replicas = &four }, 3},
		{"status change is dropped", func(d *appsv1.Deployment) { d.Status.Replicas = 9 }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := old.DeepCopy()
			tc.mutate(d)
			st.PrepareForUpdate(context.Background(), d, old)
			if d.Generation != tc.wantGen {
				t.Fatalf("generation %d, want %d", d.Generation, tc.wantGen)
			}
			if d.Status.Replicas != 3 {
				t.Fatal("the main resource must not change status")
			}
		})
	}
}

func TestStatusStrategyKeepsSpec(t *testing.T) {
	ss := statusStrategy{newStrategy(resByKind("Deployment"))}
	three, four := int32(3), int32(4)
	old := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}}, Spec: appsv1.DeploymentSpec{Replicas: &three}}
	d := old.DeepCopy()
	d.Spec.Replicas = &four
	d.Labels = nil
	d.Status.ReadyReplicas = 3
	ss.PrepareForUpdate(context.Background(), d, old)
	if *d.Spec.Replicas != 3 || d.Labels["a"] != "b" || d.Status.ReadyReplicas != 3 {
		t.Fatalf("status update changed spec/labels or lost status: %+v", d)
	}
}

func TestPodGracefulDelete(t *testing.T) {
	ps := newPodStrategy(resByKind("Pod"), DefaultTolerationSeconds{})
	thirty, five := int64(30), int64(5)
	tests := []struct {
		name string
		pod  corev1.Pod
		opt  *int64
		want int64
	}{
		{"scheduled pod uses its grace period", corev1.Pod{Spec: corev1.PodSpec{NodeName: "n", TerminationGracePeriodSeconds: &thirty}}, nil, 30},
		{"request overrides", corev1.Pod{Spec: corev1.PodSpec{NodeName: "n", TerminationGracePeriodSeconds: &thirty}}, &five, 5},
		{"unscheduled pod goes at once", corev1.Pod{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &thirty}}, nil, 0},
		{"finished pod goes at once", corev1.Pod{Spec: corev1.PodSpec{NodeName: "n", TerminationGracePeriodSeconds: &thirty}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := &metav1.DeleteOptions{GracePeriodSeconds: tc.opt}
			if !ps.CheckGracefulDelete(context.Background(), &tc.pod, opts) {
				t.Fatal("pods are deleted gracefully")
			}
			if *opts.GracePeriodSeconds != tc.want {
				t.Fatalf("grace %d, want %d", *opts.GracePeriodSeconds, tc.want)
			}
		})
	}
}

func TestQOSClass(t *testing.T) {
	q := func(req, lim corev1.ResourceList) corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}}}
	}
	one := apiresource.MustParse("1")
	mem := apiresource.MustParse("1Gi")
	both := corev1.ResourceList{corev1.ResourceCPU: one, corev1.ResourceMemory: mem}
	tests := []struct {
		spec corev1.PodSpec
		want corev1.PodQOSClass
	}{
		{q(nil, nil), corev1.PodQOSBestEffort},
		{q(both, both), corev1.PodQOSGuaranteed},
		{q(nil, both), corev1.PodQOSGuaranteed},
		{q(corev1.ResourceList{corev1.ResourceCPU: one}, nil), corev1.PodQOSBurstable},
	}
	for i, tc := range tests {
		if got := qosClass(&tc.spec); got != tc.want {
			t.Errorf("%d: %s, want %s", i, got, tc.want)
		}
	}
}

func TestScaleOf(t *testing.T) {
	n := int32(4)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "ns", ResourceVersion: "7"},
		Spec:   appsv1.DeploymentSpec{Replicas: &n, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}},
		Status: appsv1.DeploymentStatus{Replicas: 2}}
	s, err := scaleOf(d)
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.Replicas != 4 || s.Status.Replicas != 2 || s.Status.Selector != "app=x" || s.ResourceVersion != "7" {
		t.Fatalf("scale %+v", s)
	}
	setReplicas(d, 9)
	if *d.Spec.Replicas != 9 {
		t.Fatal("setReplicas")
	}
}

func TestSelectableFields(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	f := selectableFields(pod)
	if f["spec.nodeName"] != "n1" || f["status.phase"] != "Running" || f["metadata.namespace"] != "ns" {
		t.Fatalf("pod fields %v", f)
	}
	ev := &corev1.Event{InvolvedObject: corev1.ObjectReference{Name: "x", Namespace: "ns", UID: "u"}}
	f = selectableFields(ev)
	if f["involvedObject.name"] != "x" || f["involvedObject.uid"] != "u" {
		t.Fatalf("event fields %v", f)
	}
}

func TestPublicInfoPaths(t *testing.T) {
	for p, want := range map[string]bool{"/version": true, "/healthz": true, "/readyz/etcd": true, "/livez": true, "/api": false, "/api/v1/pods": false, "/openapi/v2": false} {
		if got := isPublicInfoPath(p); got != want {
			t.Errorf("%s: %v, want %v", p, got, want)
		}
	}
}

func TestFirstServiceIP(t *testing.T) {
	_, cidr, _ := netParseCIDR("10.43.0.0/16")
	if got := FirstServiceIP(cidr).String(); got != "10.43.0.1" {
		t.Fatalf("got %s", got)
	}
}

func netParseCIDR(s string) (interface{}, *net.IPNet, error) {
	ip, n, err := net.ParseCIDR(s)
	return ip, n, err
}
