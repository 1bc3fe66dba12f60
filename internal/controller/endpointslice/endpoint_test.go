package endpointslice

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestIncludePod(t *testing.T) {
	tests := []struct {
		name        string
		pod         *corev1.Pod
		terminating bool
		want        bool
	}{
		{"running with IP", pod("a", "10.42.0.1"), false, true},
		{"no IP yet", pod("a", "", func(p *corev1.Pod) { p.Status.PodIPs = nil }), true, false},
		{"succeeded", pod("a", "10.42.0.1", func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }), true, false},
		{"failed", pod("a", "10.42.0.1", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }), true, false},
		{"terminating, slices", pod("a", "10.42.0.1", terminatingPod), true, true},
		{"terminating, endpoints", pod("a", "10.42.0.1", terminatingPod), false, false},
		{"not ready still included", pod("a", "10.42.0.1", notReady), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := includePod(tt.pod, tt.terminating); got != tt.want {
				t.Errorf("includePod = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPodEndpointConditions(t *testing.T) {
	tests := []struct {
		name                        string
		pod                         *corev1.Pod
		svc                         *corev1.Service
		ready, serving, terminating bool
	}{
		{"ready", pod("a", "10.42.0.1"), service("web"), true, true, false},
		{"not ready", pod("a", "10.42.0.1", notReady), service("web"), false, false, false},
		{"terminating ready pod", pod("a", "10.42.0.1", terminatingPod), service("web"), false, true, true},
		{"terminating not ready", pod("a", "10.42.0.1", terminatingPod, notReady), service("web"), false, false, true},
		{"publishNotReadyAddresses", pod("a", "10.42.0.1", notReady, terminatingPod), service("web", publishNotReady), true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := podEndpoint(tt.pod, tt.svc, discoveryv1.AddressTypeIPv4, "")
			c := ep.Conditions
			if *c.Ready != tt.ready || *c.Serving != tt.serving || *c.Terminating != tt.terminating {
				t.Errorf("conditions ready=%v serving=%v terminating=%v, want %v %v %v",
					*c.Ready, *c.Serving, *c.Terminating, tt.ready, tt.serving, tt.terminating)
			}
		})
	}
}

func TestPodEndpointFields(t *testing.T) {
	p := pod("db-0", "10.42.0.7", hostname("db-0", "db"))
	p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: "fd00::7"})
	yes, no := true, false
	node, zone, host := "node-a", "zone-1", "db-0"
	want := discoveryv1.Endpoint{
		Addresses:  []string{"10.42.0.7"},
		Conditions: discoveryv1.EndpointConditions{Ready: &yes, Serving: &yes, Terminating: &no},
		Hostname:   &host,
		TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "db-0", UID: "uid-db-0"},
		NodeName:   &node,
		Zone:       &zone,
	}
	got := podEndpoint(p, service("db", headlessSvc), discoveryv1.AddressTypeIPv4, "zone-1")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("endpoint (-want +got):\n%s", diff)
	}
	v6 := podEndpoint(p, service("db", headlessSvc), discoveryv1.AddressTypeIPv6, "")
	if diff := cmp.Diff([]string{"fd00::7"}, v6.Addresses); diff != "" {
		t.Errorf("IPv6 addresses: %s", diff)
	}
	// The subdomain must name the Service.
	if ep := podEndpoint(p, service("other"), discoveryv1.AddressTypeIPv4, ""); ep.Hostname != nil {
		t.Errorf("hostname set for a Service the pod's subdomain does not name")
	}
}

func TestFindPort(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	sidecar := func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "proxy", RestartPolicy: &always,
			Ports: []corev1.ContainerPort{{Name: "proxy", ContainerPort: 15001, Protocol: corev1.ProtocolTCP}}}}
	}
	plainInit := func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "init",
			Ports: []corev1.ContainerPort{{Name: "proxy", ContainerPort: 15001, Protocol: corev1.ProtocolTCP}}}}
	}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		port   corev1.ServicePort
		want   int32
		wantOK bool
	}{
		{"number", pod("a", "10.42.0.1"), corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(9090)}, 9090, true},
		{"zero means the service port", pod("a", "10.42.0.1"), corev1.ServicePort{Port: 80}, 80, true},
		{"named", pod("a", "10.42.0.1"), corev1.ServicePort{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("web")}, 8080, true},
		{"named, other protocol", pod("a", "10.42.0.1"), corev1.ServicePort{Port: 80, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("web")}, 0, false},
		{"named, missing", pod("a", "10.42.0.1"), corev1.ServicePort{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("grpc")}, 0, false},
		{"named in sidecar", pod("a", "10.42.0.1", sidecar), corev1.ServicePort{Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("proxy")}, 15001, true},
		{"named in plain init container", pod("a", "10.42.0.1", plainInit), corev1.ServicePort{Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("proxy")}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := findPort(tt.pod, &tt.port)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("findPort = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAddressTypes(t *testing.T) {
	v4, v6 := discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6
	tests := []struct {
		name string
		svc  *corev1.Service
		want []discoveryv1.AddressType
	}{
		{"ipv4", service("a"), []discoveryv1.AddressType{v4}},
		{"dual stack, v6 first", service("a", func(s *corev1.Service) {
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol, corev1.IPv4Protocol}
		}), []discoveryv1.AddressType{v6, v4}},
		{"no families, v6 cluster IP", service("a", func(s *corev1.Service) {
			s.Spec.IPFamilies, s.Spec.ClusterIP = nil, "fd00:43::10"
		}), []discoveryv1.AddressType{v6}},
		{"no families, headless", service("a", headlessSvc, func(s *corev1.Service) { s.Spec.IPFamilies = nil }), []discoveryv1.AddressType{v4, v6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, addressTypes(tt.svc)); diff != "" {
				t.Errorf("addressTypes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPodEndpointsChanged(t *testing.T) {
	base := pod("a", "10.42.0.1")
	tests := []struct {
		name   string
		mutate func(*corev1.Pod)
		want   bool
	}{
		{"annotation only", func(p *corev1.Pod) { p.Annotations = map[string]string{"x": "y"} }, false},
		{"resourceVersion only", func(p *corev1.Pod) { p.ResourceVersion = "42" }, false},
		{"readiness", notReady, true},
		{"deletion", terminatingPod, true},
		{"ip", func(p *corev1.Pod) { p.Status.PodIPs = []corev1.PodIP{{IP: "10.42.0.2"}} }, true},
		{"container port", containerPort("web", 9090), true},
		{"hostname", hostname("h", "s"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base.DeepCopy()
			tt.mutate(cur)
			if got := podEndpointsChanged(base, cur); got != tt.want {
				t.Errorf("podEndpointsChanged = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestManagedAndSelects(t *testing.T) {
	kube := service("kubernetes")
	if managed(kube) {
		t.Error("default/kubernetes must be left to the API server")
	}
	noSel := service("manual", func(s *corev1.Service) { s.Spec.Selector = nil })
	if managed(noSel) || selects(noSel, pod("a", "10.42.0.1")) {
		t.Error("a Service without selector must be left alone")
	}
	ext := service("ext", func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeExternalName })
	if managed(ext) {
		t.Error("an ExternalName Service gets no endpoints")
	}
	if !selects(service("web"), pod("a", "10.42.0.1")) || selects(service("web"), pod("a", "10.42.0.1", appLabel("db"))) {
		t.Error("selector matching is wrong")
	}
}
