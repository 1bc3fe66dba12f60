package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validPodSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name:  "app",
			Image: "nginx:1.27",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}},
			Env:   []corev1.EnvVar{{Name: "MODE", Value: "prod"}, {Name: "POD", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			},
			VolumeMounts:   []corev1.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "cfg", MountPath: "/etc/app", SubPath: "app"}},
			LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromString("http")}}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(80)}}},
		}},
		InitContainers: []corev1.Container{{Name: "init", Image: "busybox", Command: []string{"true"}}},
		Volumes: []corev1.Volume{
			{Name: "data"},
			{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}}}},
		},
		Tolerations: []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule}},
	}
}

func validPod() *corev1.Pod {
	return defaulted(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec:       validPodSpec(),
	})
}

func TestValidatePodCreate(t *testing.T) {
	c0 := "spec.containers[0]"
	runCreateCases(t, validPod, []createCase[*corev1.Pod]{
		{name: "valid"},
		{name: "missing name", mutate: func(p *corev1.Pod) { p.Name = "" }, want: []want{req("metadata.name")}},
		{name: "missing namespace", mutate: func(p *corev1.Pod) { p.Namespace = "" }, want: []want{req("metadata.namespace")}},
		{name: "bad label", mutate: func(p *corev1.Pod) { p.Labels["bad key!"] = "x" }, want: []want{inv("metadata.labels")}},
		{name: "unqualified finalizer", mutate: func(p *corev1.Pod) { p.Finalizers = []string{"mine"} }, want: []want{inv("metadata.finalizers[0]")}},
		{name: "no containers", mutate: func(p *corev1.Pod) { p.Spec.Containers = nil }, want: []want{req("spec.containers")}},
		{name: "container name empty", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Name = "" }, want: []want{req(c0 + ".name")}},
		{name: "container name not a DNS label", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Name = "App_1" }, want: []want{inv(c0 + ".name")}},
		{name: "duplicate container names", mutate: func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, *p.Spec.Containers[0].DeepCopy())
			p.Spec.Containers[1].Ports = nil
		}, want: []want{dup("spec.containers[1].name")}},
		{name: "init container shares a name", mutate: func(p *corev1.Pod) { p.Spec.InitContainers[0].Name = "app" }, want: []want{dup("spec.initContainers[0].name")}},
		{name: "image required", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }, want: []want{req(c0 + ".image")}},
		{name: "image whitespace", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx " }, want: []want{inv(c0 + ".image")}},
		{name: "container port zero", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 }, want: []want{req(c0 + ".ports[0].containerPort")}},
		{name: "container port out of range", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }, want: []want{inv(c0 + ".ports[0].containerPort")}},
		{name: "duplicate port names", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, corev1.ContainerPort{Name: "http", ContainerPort: 81, Protocol: corev1.ProtocolTCP})
		}, want: []want{dup(c0 + ".ports[1].name")}},
		{name: "bad port protocol", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].Protocol = "ICMP" }, want: []want{unsup(c0 + ".ports[0].protocol")}},
		{name: "host port conflict", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{
				{ContainerPort: 80, HostPort: 8080, Protocol: corev1.ProtocolTCP},
				{ContainerPort: 81, HostPort: 8080, Protocol: corev1.ProtocolTCP},
			}
			p.Spec.Containers[0].LivenessProbe.HTTPGet.Port = intstr.FromInt32(80)
		}, want: []want{dup(c0 + ".ports[1].hostPort")}},
		{name: "env name required", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Env[0].Name = "" }, want: []want{req(c0 + ".env[0].name")}},
		{name: "env name with =", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Env[0].Name = "A=B" }, want: []want{inv(c0 + ".env[0].name")}},
		{name: "env value and valueFrom", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Env[1].Value = "x" }, want: []want{inv(c0 + ".env[1].valueFrom")}},
		{name: "env field path unsupported", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Env[1].ValueFrom.FieldRef.FieldPath = "spec.hostname" },
			want: []want{unsup(c0 + ".env[1].valueFrom.fieldRef.fieldPath")}},
		{name: "volume name duplicate", mutate: func(p *corev1.Pod) { p.Spec.Volumes[1].Name = "data" },
			want: []want{dup("spec.volumes[1].name"), notFound(c0 + ".volumeMounts[1].name")}},
		{name: "volume with two sources", mutate: func(p *corev1.Pod) {
			p.Spec.Volumes[0].HostPath = &corev1.HostPathVolumeSource{Path: "/srv", Type: ptr(corev1.HostPathUnset)}
		}, want: []want{forbidden("spec.volumes[0].hostPath"), notFound(c0 + ".volumeMounts[0].name")}},
		{name: "volume without source", mutate: func(p *corev1.Pod) { p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{} },
			want: []want{req("spec.volumes[0]"), notFound(c0 + ".volumeMounts[0].name")}},
		{name: "configMap volume needs a name and a sane mode", mutate: func(p *corev1.Pod) {
			p.Spec.Volumes[1].ConfigMap.Name = ""
			p.Spec.Volumes[1].ConfigMap.DefaultMode = ptr(int32(0o1000))
		}, want: []want{req("spec.volumes[1].configMap.name"), inv("spec.volumes[1].configMap.defaultMode"), notFound(c0 + ".volumeMounts[1].name")}},
		{name: "mount of unknown volume", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[0].Name = "nope" }, want: []want{notFound(c0 + ".volumeMounts[0].name")}},
		{name: "mount path required and unique", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[1].MountPath = "/data" }, want: []want{inv(c0 + ".volumeMounts[1].mountPath")}},
		{name: "absolute subPath", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[1].SubPath = "/etc" }, want: []want{inv(c0 + ".volumeMounts.subPath")}},
		{name: "restartPolicy unknown", mutate: func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" }, want: []want{unsup("spec.restartPolicy")}},
		{name: "restartPolicy empty", mutate: func(p *corev1.Pod) { p.Spec.RestartPolicy = "" }, want: []want{req("spec.restartPolicy")}},
		{name: "dnsPolicy unknown", mutate: func(p *corev1.Pod) { p.Spec.DNSPolicy = "Google" }, want: []want{unsup("spec.dnsPolicy")}},
		{name: "dnsPolicy None needs dnsConfig", mutate: func(p *corev1.Pod) { p.Spec.DNSPolicy = corev1.DNSNone }, want: []want{req("spec.dnsConfig")}},
		{name: "terminationGracePeriodSeconds required", mutate: func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = nil },
			want: []want{req("spec.terminationGracePeriodSeconds")}},
		{name: "request above limit", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
		}, want: []want{inv(c0 + ".resources.requests")}},
		{name: "negative request", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("-1")
		}, want: []want{inv(c0 + ".resources.requests[memory]")}},
		{name: "unknown unqualified resource", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Limits["gpu"] = resource.MustParse("1")
		}, want: []want{inv(c0 + ".resources.limits[gpu]"), inv(c0 + ".resources.limits[gpu]")}},
		{name: "extended resource may not overcommit", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests["example.com/gpu"] = resource.MustParse("1")
		}, want: []want{req(c0 + ".resources.limits")}},
		{name: "probe without handler", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].LivenessProbe.HTTPGet = nil }, want: []want{req(c0 + ".livenessProbe")}},
		{name: "probe with two handlers", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].ReadinessProbe.Exec = &corev1.ExecAction{Command: []string{"true"}}
		}, want: []want{forbidden(c0 + ".readinessProbe.tcpSocket")}},
		{name: "liveness successThreshold must be 1", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].LivenessProbe.SuccessThreshold = 2 },
			want: []want{inv(c0 + ".livenessProbe.successThreshold")}},
		{name: "init container may not probe", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].ReadinessProbe = p.Spec.Containers[0].ReadinessProbe.DeepCopy()
		}, want: []want{forbidden("spec.initContainers[0].readinessProbe")}},
		{name: "sidecar init container may probe", mutate: func(p *corev1.Pod) {
			p.Spec.InitContainers[0].RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
			p.Spec.InitContainers[0].ReadinessProbe = p.Spec.Containers[0].ReadinessProbe.DeepCopy()
		}},
		{name: "regular container restartPolicy", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways) },
			want: []want{forbidden(c0 + ".restartPolicy")}},
		{name: "toleration without key must be Exists", mutate: func(p *corev1.Pod) { p.Spec.Tolerations[0].Key = "" }, want: []want{inv("spec.tolerations[0].operator")}},
		{name: "tolerationSeconds needs NoExecute", mutate: func(p *corev1.Pod) { p.Spec.Tolerations[0].TolerationSeconds = ptr(int64(10)) },
			want: []want{inv("spec.tolerations[0].effect")}},
		{name: "host network port mismatch", mutate: func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].Ports[0].HostPort = 8080
		}, want: []want{inv(c0 + ".ports[0].hostPort")}},
		{name: "ephemeral containers on create", mutate: func(p *corev1.Pod) {
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "busybox", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile}}}
		}, want: []want{forbidden("spec.ephemeralContainers")}},
		{name: "node name not a subdomain", mutate: func(p *corev1.Pod) { p.Spec.NodeName = "Node_1" }, want: []want{inv("spec.nodeName")}},
		{name: "token projection needs a service account", mutate: func(p *corev1.Pod) {
			p.Spec.ServiceAccountName = ""
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "tok", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				DefaultMode: ptr(int32(0o644)),
				Sources:     []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(int64(3600))}}},
			}}})
		}, want: []want{forbidden("spec.volumes[2].projected.sources[0].serviceAccountToken")}},
		{name: "activeDeadlineSeconds zero", mutate: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(0)) }, want: []want{inv("spec.activeDeadlineSeconds")}},
		{name: "pvc volume needs claimName", mutate: func(p *corev1.Pod) {
			p.Spec.Volumes[0].EmptyDir = nil
			p.Spec.Volumes[0].PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{}
		}, want: []want{req("spec.volumes[0].persistentVolumeClaim.claimName"), notFound(c0 + ".volumeMounts[0].name")}},
	})
}

func TestValidatePodCreateMessages(t *testing.T) {
	p := validPod()
	p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
	expectDetail(t, ValidateCreate(p), "spec.containers[0].resources.requests", "must be less than or equal to cpu limit of 500m")
}

func TestValidatePodUpdate(t *testing.T) {
	runUpdateCases(t, validPod, func(p *corev1.Pod) *corev1.Pod { return p.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.Pod]{
			{name: "unchanged"},
			{name: "image may change", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:1.28" }},
			{name: "tolerations may be added", mutate: func(p *corev1.Pod) {
				p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Operator: corev1.TolerationOpExists})
			}},
			{name: "tolerations may not be removed", mutate: func(p *corev1.Pod) { p.Spec.Tolerations = nil }, want: []want{forbidden("spec.tolerations")}},
			{name: "other spec fields are immutable", mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Env[0].Value = "dev" }, want: []want{forbidden("spec")}},
			{name: "containers may not be added", mutate: func(p *corev1.Pod) {
				c := p.Spec.Containers[0].DeepCopy()
				c.Name, c.Ports = "second", nil
				p.Spec.Containers = append(p.Spec.Containers, *c)
			}, want: []want{forbidden("spec.containers")}},
			{name: "activeDeadlineSeconds may shrink", old: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(100)) },
				mutate: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(50)) }},
			{name: "activeDeadlineSeconds may not grow", old: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(100)) },
				mutate: func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(200)) }, want: []want{inv("spec.activeDeadlineSeconds")}},
			{name: "scheduling gates may only be removed", mutate: func(p *corev1.Pod) {
				p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}}
			}, want: []want{forbidden("spec.schedulingGates[0].name")}},
			{name: "scheduling gate removal", old: func(p *corev1.Pod) { p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}} },
				mutate: func(p *corev1.Pod) { p.Spec.SchedulingGates = nil }},
			{name: "name is immutable", mutate: func(p *corev1.Pod) { p.Name = "other" }, want: []want{inv("metadata.name")}},
			{name: "resourceVersion required", mutate: func(p *corev1.Pod) { p.ResourceVersion = "" }, want: []want{inv("metadata.resourceVersion")}},
		})
}

func TestValidatePodUpdateMessage(t *testing.T) {
	old := validPod()
	old.ResourceVersion = "1"
	p := old.DeepCopy()
	p.Spec.RestartPolicy = corev1.RestartPolicyNever
	expectDetail(t, ValidateUpdate(p, old), "spec", "pod updates may not change fields other than `spec.containers[*].image`")
}

func TestValidatePodStatusUpdate(t *testing.T) {
	terminated := corev1.ContainerStatus{Name: "app", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}}
	running := corev1.ContainerStatus{Name: "app", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	runUpdateCases(t, validPod, func(p *corev1.Pod) *corev1.Pod { return p.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*corev1.Pod]{
			{name: "report IPs and phase", mutate: func(p *corev1.Pod) {
				p.Status.Phase = corev1.PodRunning
				p.Status.HostIP = "10.0.0.2"
				p.Status.HostIPs = []corev1.HostIP{{IP: "10.0.0.2"}}
				p.Status.PodIPs = []corev1.PodIP{{IP: "10.244.0.5"}, {IP: "fd00::5"}}
			}},
			{name: "nodeName may not move", mutate: func(p *corev1.Pod) { p.Spec.NodeName = "n1" }, want: []want{forbidden("status.nodeName")}},
			{name: "podIPs one per family", mutate: func(p *corev1.Pod) {
				p.Status.PodIPs = []corev1.PodIP{{IP: "10.244.0.5"}, {IP: "10.244.0.5"}}
			}, want: []want{dup("status.podIPs[1]"), inv("status.podIPs")}},
			{name: "hostIPs[0] equals hostIP", mutate: func(p *corev1.Pod) {
				p.Status.HostIP = "10.0.0.2"
				p.Status.HostIPs = []corev1.HostIP{{IP: "10.0.0.3"}}
			}, want: []want{inv("status.hostIPs[0].ip")}},
			{name: "never-restart pod stays terminated",
				old: func(p *corev1.Pod) {
					p.Spec.RestartPolicy = corev1.RestartPolicyNever
					p.Status.ContainerStatuses = []corev1.ContainerStatus{terminated}
				},
				mutate: func(p *corev1.Pod) { p.Status.ContainerStatuses = []corev1.ContainerStatus{running} },
				want:   []want{forbidden("status.containerStatuses[0].state")}},
			{name: "always-restart pod may run again",
				old:    func(p *corev1.Pod) { p.Status.ContainerStatuses = []corev1.ContainerStatus{terminated} },
				mutate: func(p *corev1.Pod) { p.Status.ContainerStatuses = []corev1.ContainerStatus{running} }},
		})
}

func TestValidDeletionCost(t *testing.T) {
	for v, ok := range map[string]bool{"0": true, "10": true, "-5": true, "2147483647": true, "2147483648": false, "+10": false, "008": false, " 1": false, "": false, "x": false} {
		if got := validDeletionCost(v); got != ok {
			t.Errorf("validDeletionCost(%q) = %v, want %v", v, got, ok)
		}
	}
}
