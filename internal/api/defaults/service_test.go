package defaults

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestDefaultService(t *testing.T) {
	v4 := []corev1.IPFamily{corev1.IPv4Protocol}
	cases := []struct {
		name         string
		spec         corev1.ServiceSpec
		wantETP      corev1.ServiceExternalTrafficPolicy
		wantITP      bool
		wantPolicy   corev1.IPFamilyPolicy // "" means nil
		wantFamilies []corev1.IPFamily
		wantIPs      []string
	}{
		{
			name:         "plain ClusterIP",
			spec:         corev1.ServiceSpec{Selector: map[string]string{"a": "b"}, Ports: []corev1.ServicePort{{Port: 80}}},
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicySingleStack,
			wantFamilies: v4,
		},
		{
			name:         "NodePort gets external policy",
			spec:         corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80}}},
			wantETP:      corev1.ServiceExternalTrafficPolicyCluster,
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicySingleStack,
			wantFamilies: v4,
		},
		{
			name:         "ClusterIP with externalIPs is externally accessible",
			spec:         corev1.ServiceSpec{ExternalIPs: []string{"192.0.2.10"}, Ports: []corev1.ServicePort{{Port: 80}}},
			wantETP:      corev1.ServiceExternalTrafficPolicyCluster,
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicySingleStack,
			wantFamilies: v4,
		},
		{
			name:         "clusterIP alone fills clusterIPs and family",
			spec:         corev1.ServiceSpec{ClusterIP: "fd00::10", Ports: []corev1.ServicePort{{Port: 80}}},
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicySingleStack,
			wantFamilies: []corev1.IPFamily{corev1.IPv6Protocol},
			wantIPs:      []string{"fd00::10"},
		},
		{
			name:         "headless with selector is single stack",
			spec:         corev1.ServiceSpec{ClusterIP: "None", Selector: map[string]string{"a": "b"}},
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicySingleStack,
			wantFamilies: v4,
			wantIPs:      []string{"None"},
		},
		{
			name:         "headless without selector requires dual stack",
			spec:         corev1.ServiceSpec{ClusterIP: "None"},
			wantITP:      true,
			wantPolicy:   corev1.IPFamilyPolicyRequireDualStack,
			wantFamilies: []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol},
			wantIPs:      []string{"None"},
		},
		{
			name: "ExternalName has no IP fields",
			spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := &corev1.Service{Spec: c.spec}
			Default(svc)
			s := svc.Spec
			if s.SessionAffinity != corev1.ServiceAffinityNone {
				t.Errorf("sessionAffinity = %q", s.SessionAffinity)
			}
			if s.ExternalTrafficPolicy != c.wantETP {
				t.Errorf("externalTrafficPolicy = %q, want %q", s.ExternalTrafficPolicy, c.wantETP)
			}
			if (s.InternalTrafficPolicy != nil) != c.wantITP || (c.wantITP && *s.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyCluster) {
				t.Errorf("internalTrafficPolicy = %v", s.InternalTrafficPolicy)
			}
			gotPolicy := corev1.IPFamilyPolicy("")
			if s.IPFamilyPolicy != nil {
				gotPolicy = *s.IPFamilyPolicy
			}
			if gotPolicy != c.wantPolicy {
				t.Errorf("ipFamilyPolicy = %q, want %q", gotPolicy, c.wantPolicy)
			}
			if !reflect.DeepEqual(s.IPFamilies, c.wantFamilies) {
				t.Errorf("ipFamilies = %v, want %v", s.IPFamilies, c.wantFamilies)
			}
			if !reflect.DeepEqual(s.ClusterIPs, c.wantIPs) {
				t.Errorf("clusterIPs = %v, want %v", s.ClusterIPs, c.wantIPs)
			}
			for _, p := range s.Ports {
				if p.Protocol != corev1.ProtocolTCP || p.TargetPort != intstr.FromInt32(p.Port) {
					t.Errorf("port not defaulted: %+v", p)
				}
			}
		})
	}
}

func TestDefaultServiceKeepsNamedTargetPortAndAffinity(t *testing.T) {
	svc := &corev1.Service{Spec: corev1.ServiceSpec{
		Type:            corev1.ServiceTypeLoadBalancer,
		SessionAffinity: corev1.ServiceAffinityClientIP,
		Ports:           []corev1.ServicePort{{Port: 443, TargetPort: intstr.FromString("https"), Protocol: corev1.ProtocolUDP}},
	}}
	Default(svc)
	p := svc.Spec.Ports[0]
	if p.TargetPort.StrVal != "https" || p.Protocol != corev1.ProtocolUDP {
		t.Errorf("port overwritten: %+v", p)
	}
	if cfg := svc.Spec.SessionAffinityConfig; cfg == nil || *cfg.ClientIP.TimeoutSeconds != 10800 {
		t.Errorf("ClientIP affinity timeout not defaulted: %+v", cfg)
	}
	if a := svc.Spec.AllocateLoadBalancerNodePorts; a == nil || !*a {
		t.Errorf("allocateLoadBalancerNodePorts = %v", a)
	}
}
