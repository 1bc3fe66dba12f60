package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validService() *corev1.Service {
	return defaulted(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http")},
				{Name: "https", Port: 443},
			},
		},
	})
}

// allocated is a valid service as stored, with its cluster IP assigned.
func allocated() *corev1.Service {
	s := validService()
	s.Spec.ClusterIP = "10.96.0.10"
	s.Spec.ClusterIPs = []string{"10.96.0.10"}
	return s
}

func TestValidateServiceCreate(t *testing.T) {
	runCreateCases(t, validService, []createCase[*corev1.Service]{
		{name: "valid, cluster IP still to allocate"},
		{name: "name must be a DNS-1035 label", mutate: func(s *corev1.Service) { s.Name = "1web" }, want: []want{inv("metadata.name")}},
		{name: "ports required", mutate: func(s *corev1.Service) { s.Spec.Ports = nil }, want: []want{req("spec.ports")}},
		{name: "headless needs no ports", mutate: func(s *corev1.Service) {
			s.Spec.Ports = nil
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}},
		{name: "port names required when several", mutate: func(s *corev1.Service) { s.Spec.Ports[1].Name = "" }, want: []want{req("spec.ports[1].name")}},
		{name: "single port needs no name", mutate: func(s *corev1.Service) {
			s.Spec.Ports = s.Spec.Ports[1:]
			s.Spec.Ports[0].Name = ""
		}},
		{name: "duplicate port names", mutate: func(s *corev1.Service) { s.Spec.Ports[1].Name = "http" }, want: []want{dup("spec.ports[1].name")}},
		{name: "duplicate port and protocol", mutate: func(s *corev1.Service) { s.Spec.Ports[1].Port = 80 }, want: []want{dup("spec.ports[1]")}},
		{name: "port out of range", mutate: func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 }, want: []want{inv("spec.ports[0].port")}},
		{name: "targetPort out of range", mutate: func(s *corev1.Service) { s.Spec.Ports[1].TargetPort = intstr.FromInt32(70000) }, want: []want{inv("spec.ports[1].targetPort")}},
		{name: "bad named targetPort", mutate: func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("http_") }, want: []want{inv("spec.ports[0].targetPort")}},
		{name: "bad protocol", mutate: func(s *corev1.Service) { s.Spec.Ports[0].Protocol = "HTTP" }, want: []want{unsup("spec.ports[0].protocol")}},
		{name: "nodePort forbidden on ClusterIP", mutate: func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 30080 }, want: []want{forbidden("spec.ports[0].nodePort")}},
		{name: "nodePort out of range", mutate: func(s *corev1.Service) {
			s.Spec.Type = corev1.ServiceTypeNodePort
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
			s.Spec.Ports[0].NodePort = 70000
		}, want: []want{inv("spec.ports[0].nodePort")}},
		{name: "duplicate nodePorts", mutate: func(s *corev1.Service) {
			s.Spec.Type = corev1.ServiceTypeNodePort
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
			s.Spec.Ports[0].NodePort, s.Spec.Ports[1].NodePort = 30080, 30080
		}, want: []want{dup("spec.ports[1].nodePort")}},
		{name: "type unknown", mutate: func(s *corev1.Service) { s.Spec.Type = "Internal" }, want: []want{unsup("spec.type")}},
		{name: "externalTrafficPolicy on plain ClusterIP", mutate: func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal },
			want: []want{inv("spec.externalTrafficPolicy")}},
		{name: "NodePort needs externalTrafficPolicy", mutate: func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeNodePort },
			want: []want{req("spec.externalTrafficPolicy")}},
		{name: "headless NodePort", mutate: func(s *corev1.Service) {
			s.Spec.Type = corev1.ServiceTypeNodePort
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}, want: []want{inv("spec.clusterIPs[0]")}},
		{name: "clusterIP must be an IP", mutate: func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.300", []string{"10.96.0.300"} },
			want: []want{inv("spec.clusterIPs[0]")}},
		{name: "clusterIPs must agree with clusterIP", mutate: func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.11"} },
			want: []want{inv("spec.clusterIPs")}},
		{name: "clusterIPs without clusterIP", mutate: func(s *corev1.Service) { s.Spec.ClusterIPs = []string{"10.96.0.11"} }, want: []want{inv("spec.clusterIPs")}},
		{name: "two IPv4 cluster IPs", mutate: func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.10", "10.96.0.11"}
		}, want: []want{inv("spec.clusterIPs")}},
		{name: "IP family mismatch", mutate: func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "fd00::10", []string{"fd00::10"}
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
		}, want: []want{inv("spec.clusterIPs[0]")}},
		{name: "unknown IP family", mutate: func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{"IPv5"} }, want: []want{unsup("spec.ipFamilies[0]")}},
		{name: "ExternalName needs a DNS name", mutate: func(s *corev1.Service) {
			*s = *defaulted(&corev1.Service{ObjectMeta: s.ObjectMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example.com."}})
		}},
		{name: "ExternalName required", mutate: func(s *corev1.Service) {
			*s = *defaulted(&corev1.Service{ObjectMeta: s.ObjectMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName}})
		}, want: []want{req("spec.externalName")}},
		{name: "ExternalName invalid", mutate: func(s *corev1.Service) {
			*s = *defaulted(&corev1.Service{ObjectMeta: s.ObjectMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "not_a_host"}})
		}, want: []want{inv("spec.externalName")}},
		{name: "ExternalName may not carry IP families", mutate: func(s *corev1.Service) {
			s.Spec.Type = corev1.ServiceTypeExternalName
			s.Spec.ExternalName = "x.example"
		},
			want: []want{forbidden("spec.ipFamilies"), forbidden("spec.ipFamilyPolicy")}},
		{name: "selector labels", mutate: func(s *corev1.Service) { s.Spec.Selector["app"] = "not valid!" }, want: []want{inv("spec.selector")}},
		{name: "ClientIP affinity timeout", mutate: func(s *corev1.Service) {
			s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
			s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr(int32(0))}}
		}, want: []want{inv("spec.sessionAffinityConfig.clientIP.timeoutSeconds")}},
		{name: "affinity config with None", mutate: func(s *corev1.Service) {
			s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr(int32(10))}}
		}, want: []want{forbidden("spec.sessionAffinityConfig")}},
		{name: "loopback external IP", mutate: func(s *corev1.Service) {
			s.Spec.ExternalIPs = []string{"127.0.0.1"}
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
		}, want: []want{inv("spec.externalIPs[0]")}},
		{name: "source ranges only for LoadBalancer", mutate: func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/8"} },
			want: []want{forbidden("spec.LoadBalancerSourceRanges")}},
		{name: "internalTrafficPolicy required", mutate: func(s *corev1.Service) { s.Spec.InternalTrafficPolicy = nil }, want: []want{req("spec.internalTrafficPolicy")}},
		{name: "trafficDistribution unknown", mutate: func(s *corev1.Service) { s.Spec.TrafficDistribution = ptr("Anywhere") }, want: []want{unsup("spec.trafficDistribution")}},
		{name: "loadBalancerClass only for LoadBalancer", mutate: func(s *corev1.Service) { s.Spec.LoadBalancerClass = ptr("example.com/lb") },
			want: []want{forbidden("spec.loadBalancerClass")}},
	})
}

func TestValidateLoadBalancerService(t *testing.T) {
	lb := func() *corev1.Service {
		s := validService()
		s.Spec.Type = corev1.ServiceTypeLoadBalancer
		return defaulted(s)
	}
	runCreateCases(t, lb, []createCase[*corev1.Service]{
		{name: "valid"},
		{name: "health check port only with Local", mutate: func(s *corev1.Service) { s.Spec.HealthCheckNodePort = 31000 }, want: []want{inv("spec.healthCheckNodePort")}},
		{name: "Local with allocated health check port", mutate: func(s *corev1.Service) {
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
			s.Spec.HealthCheckNodePort = 31000
		}},
		{name: "allocateLoadBalancerNodePorts required", mutate: func(s *corev1.Service) { s.Spec.AllocateLoadBalancerNodePorts = nil },
			want: []want{req("allocateLoadBalancerNodePorts")}},
		{name: "bad source range", mutate: func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/33"} },
			want: []want{inv("spec.LoadBalancerSourceRanges[0]")}},
	})
}

func TestValidateServiceUpdate(t *testing.T) {
	runUpdateCases(t, allocated, func(s *corev1.Service) *corev1.Service { return s.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateUpdate(obj, old) },
		[]updateCase[*corev1.Service]{
			{name: "unchanged"},
			{name: "ports may change", mutate: func(s *corev1.Service) { s.Spec.Ports[0].Port = 8080 }},
			{name: "clusterIP is immutable", mutate: func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.11", []string{"10.96.0.11"} },
				want: []want{inv("spec.clusterIPs[0]")}},
			{name: "clusterIP may not be unset", mutate: func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil },
				want: []want{inv("spec.clusterIPs[0]")}},
			{name: "ipFamilies are immutable", mutate: func(s *corev1.Service) {
				s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol}
			}, want: []want{inv("spec.ipFamilies[0]"), inv("spec.clusterIPs[0]")}},
			{name: "to ExternalName drops the checks", mutate: func(s *corev1.Service) {
				s.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example.com", SessionAffinity: corev1.ServiceAffinityNone}
			}},
		})
	old := allocated()
	old.ResourceVersion = "1"
	s := old.DeepCopy()
	s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.11", []string{"10.96.0.11"}
	expectDetail(t, ValidateUpdate(s, old), "spec.clusterIPs[0]", "may not change once set")
}

func TestValidateServiceStatusUpdate(t *testing.T) {
	lb := func() *corev1.Service {
		s := allocated()
		s.Spec.Type = corev1.ServiceTypeLoadBalancer
		return defaulted(s)
	}
	runUpdateCases(t, lb, func(s *corev1.Service) *corev1.Service { return s.DeepCopy() },
		func(obj, old runtime.Object) field.ErrorList { return ValidateStatusUpdate(obj, old) },
		[]updateCase[*corev1.Service]{
			{name: "publish ingress IP", mutate: func(s *corev1.Service) {
				s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.7", IPMode: ptr(corev1.LoadBalancerIPModeVIP)}}
			}},
			{name: "ipMode required with ip", mutate: func(s *corev1.Service) {
				s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.7"}}
			}, want: []want{req("status.loadBalancer.ingress[0].ipMode")}},
			{name: "hostname is not an IP", mutate: func(s *corev1.Service) {
				s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: "192.0.2.7"}}
			}, want: []want{inv("status.loadBalancer.ingress[0].hostname")}},
		})
}
