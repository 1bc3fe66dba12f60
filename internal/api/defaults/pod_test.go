package defaults

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func minimalPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "app",
				Image: "nginx",
				Ports: []corev1.ContainerPort{{ContainerPort: 80}},
				Resources: corev1.ResourceRequirements{
					Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
				},
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}}},
				StartupProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}}},
				Env:           []corev1.EnvVar{{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}},
			}},
			Volumes: []corev1.Volume{
				{Name: "scratch"},
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}},
				{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}}},
				{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
				}}}},
			},
		},
	}
}

func TestDefaultPod(t *testing.T) {
	pod := minimalPod()
	Default(pod)
	s := pod.Spec
	c := s.Containers[0]
	checks := []struct {
		name string
		ok   bool
	}{
		{"restartPolicy Always", s.RestartPolicy == corev1.RestartPolicyAlways},
		{"dnsPolicy ClusterFirst", s.DNSPolicy == corev1.DNSClusterFirst},
		{"schedulerName", s.SchedulerName == "default-scheduler"},
		{"terminationGracePeriodSeconds 30", s.TerminationGracePeriodSeconds != nil && *s.TerminationGracePeriodSeconds == 30},
		{"securityContext {}", s.SecurityContext != nil && equality.Semantic.DeepEqual(*s.SecurityContext, corev1.PodSecurityContext{})},
		{"enableServiceLinks true", s.EnableServiceLinks != nil && *s.EnableServiceLinks},
		{"priority 0", s.Priority != nil && *s.Priority == 0},
		{"preemptionPolicy", s.PreemptionPolicy != nil && *s.PreemptionPolicy == corev1.PreemptLowerPriority},
		{"imagePullPolicy Always for untagged", c.ImagePullPolicy == corev1.PullAlways},
		{"terminationMessagePath", c.TerminationMessagePath == "/dev/termination-log"},
		{"terminationMessagePolicy", c.TerminationMessagePolicy == corev1.TerminationMessageReadFile},
		{"port protocol TCP", c.Ports[0].Protocol == corev1.ProtocolTCP},
		{"hostPort untouched off host network", c.Ports[0].HostPort == 0},
		{"requests from limits", c.Resources.Requests.Cpu().String() == "500m"},
		{"probe timeout", c.LivenessProbe.TimeoutSeconds == 1},
		{"probe period", c.LivenessProbe.PeriodSeconds == 10},
		{"probe success", c.LivenessProbe.SuccessThreshold == 1},
		{"probe failure", c.LivenessProbe.FailureThreshold == 3},
		{"httpGet path", c.LivenessProbe.HTTPGet.Path == "/"},
		{"httpGet scheme", c.LivenessProbe.HTTPGet.Scheme == corev1.URISchemeHTTP},
		{"grpc service", c.StartupProbe.GRPC.Service != nil && *c.StartupProbe.GRPC.Service == ""},
		{"fieldRef apiVersion", c.Env[0].ValueFrom.FieldRef.APIVersion == "v1"},
		{"sourceless volume is emptyDir", s.Volumes[0].EmptyDir != nil},
		{"configMap defaultMode 0644", *s.Volumes[1].ConfigMap.DefaultMode == 0o644},
		{"secret defaultMode 0644", *s.Volumes[2].Secret.DefaultMode == 0o644},
		{"hostPath type empty", s.Volumes[3].HostPath.Type != nil && *s.Volumes[3].HostPath.Type == corev1.HostPathUnset},
		{"projected defaultMode", *s.Volumes[4].Projected.DefaultMode == 0o644},
		{"token expiry 3600", *s.Volumes[4].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds == 3600},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: not defaulted as expected", ch.name)
		}
	}
}

func TestDefaultPodKeepsUserValues(t *testing.T) {
	pod := minimalPod()
	grace := int64(5)
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	pod.Spec.TerminationGracePeriodSeconds = &grace
	pod.Spec.Containers[0].ImagePullPolicy = corev1.PullNever
	pod.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}
	pod.Spec.PriorityClassName = "system-node-critical"
	Default(pod)
	if pod.Spec.RestartPolicy != corev1.RestartPolicyNever || *pod.Spec.TerminationGracePeriodSeconds != 5 {
		t.Errorf("user pod fields overwritten: %+v", pod.Spec)
	}
	if pod.Spec.Containers[0].ImagePullPolicy != corev1.PullNever {
		t.Errorf("pull policy overwritten")
	}
	if got := pod.Spec.Containers[0].Resources.Requests.Cpu().String(); got != "100m" {
		t.Errorf("explicit request replaced by limit: %s", got)
	}
	if *pod.Spec.Priority != 2000001000 {
		t.Errorf("priority of system-node-critical = %d", *pod.Spec.Priority)
	}
}

func TestDefaultPodHostNetworkPorts(t *testing.T) {
	pod := minimalPod()
	pod.Spec.HostNetwork = true
	Default(pod)
	if got := pod.Spec.Containers[0].Ports[0].HostPort; got != 80 {
		t.Errorf("hostPort = %d, want containerPort 80", got)
	}
}

func TestDefaultPodServiceAccountAlias(t *testing.T) {
	pod := minimalPod()
	pod.Spec.DeprecatedServiceAccount = "builder"
	Default(pod)
	if pod.Spec.ServiceAccountName != "builder" || pod.Spec.DeprecatedServiceAccount != "builder" {
		t.Errorf("serviceAccount alias not mirrored: %q/%q", pod.Spec.ServiceAccountName, pod.Spec.DeprecatedServiceAccount)
	}
}

func TestDefaultIsIdempotent(t *testing.T) {
	once := minimalPod()
	Default(once)
	twice := once.DeepCopy()
	Default(twice)
	if !equality.Semantic.DeepEqual(once, twice) {
		t.Errorf("second Default changed the pod")
	}
}

// Templates get PodSpec defaults but not the Pod-only ones: a controller's
// template must not change when the server learns new Pod defaults.
func TestDefaultTemplateSkipsPodOnlyDefaults(t *testing.T) {
	d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: minimalPod().Spec}}}
	Default(d)
	s := d.Spec.Template.Spec
	if s.RestartPolicy != corev1.RestartPolicyAlways || s.Containers[0].ImagePullPolicy != corev1.PullAlways {
		t.Errorf("template spec not defaulted: %+v", s)
	}
	if s.EnableServiceLinks != nil || s.Priority != nil || s.Containers[0].Resources.Requests != nil {
		t.Errorf("pod-only defaults leaked into template: links=%v prio=%v req=%v", s.EnableServiceLinks, s.Priority, s.Containers[0].Resources.Requests)
	}
}

func TestDefaultPodList(t *testing.T) {
	list := &corev1.PodList{Items: []corev1.Pod{*minimalPod(), *minimalPod()}}
	Default(list)
	for i, p := range list.Items {
		if p.Spec.RestartPolicy != corev1.RestartPolicyAlways {
			t.Errorf("item %d not defaulted", i)
		}
	}
}

func TestRoundUpResources(t *testing.T) {
	pod := minimalPod()
	pod.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.0001")}
	Default(pod)
	if got := pod.Spec.Containers[0].Resources.Limits.Cpu().String(); got != "1m" {
		t.Errorf("cpu limit rounded to %s, want 1m", got)
	}
}
