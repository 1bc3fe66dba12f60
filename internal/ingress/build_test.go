package ingress

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func strp(s string) *string { return &s }

func TestIngressClassSelection(t *testing.T) {
	other := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}}
	otherDefault := other.DeepCopy()
	otherDefault.Annotations = map[string]string{AnnotationDefaultClass: "true"}
	noClass := ing("i", 0, "")
	berth := ing("i", 0, "")
	berth.Spec.IngressClassName = strp("berth")
	nginx := ing("i", 0, "")
	nginx.Spec.IngressClassName = strp("nginx")
	legacy := ing("i", 0, "")
	legacy.Annotations = map[string]string{annotationLegacyClass: "berth"}
	cases := []struct {
		name    string
		ing     *networkingv1.Ingress
		classes []*networkingv1.IngressClass
		want    bool
	}{
		{"no class, berth default", noClass, []*networkingv1.IngressClass{berthClass(true), other}, true},
		{"no class, berth not default", noClass, []*networkingv1.IngressClass{berthClass(false), other}, false},
		{"no class, two defaults", noClass, []*networkingv1.IngressClass{berthClass(true), otherDefault}, false},
		{"class berth", berth, []*networkingv1.IngressClass{berthClass(false)}, true},
		{"class berth missing", berth, nil, false},
		{"class nginx", nginx, []*networkingv1.IngressClass{berthClass(true), other}, false},
		{"legacy annotation", legacy, nil, true},
	}
	for _, c := range cases {
		if got := IsOurs(c.ing, c.classes); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBackendResolution(t *testing.T) {
	s, es := svc("web", "10.42.0.5", "10.42.0.4")
	// A not-ready endpoint and a terminating one are left out.
	f, tr := false, true
	es.Endpoints = append(es.Endpoints,
		discoveryv1.Endpoint{Addresses: []string{"10.42.0.9"}, Conditions: discoveryv1.EndpointConditions{Ready: &f}},
		discoveryv1.Endpoint{Addresses: []string{"10.42.0.8"}, Conditions: discoveryv1.EndpointConditions{Ready: &f, Serving: &tr, Terminating: &tr}})
	byName := ing("byname", 1, "a.com", pathSpec{"/", prefix, "web"})
	byName.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port = networkingv1.ServiceBackendPort{Name: "http"}
	byNumber := ing("bynumber", 0, "b.com", pathSpec{"/", prefix, "web"})
	badPort := ing("badport", 2, "c.com", pathSpec{"/", prefix, "web"})
	badPort.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port = networkingv1.ServiceBackendPort{Number: 81}
	missing := ing("missing", 3, "d.com", pathSpec{"/", prefix, "nope"})
	tab, problems := Build(Inputs{Classes: []*networkingv1.IngressClass{berthClass(true)},
		Ingresses: []*networkingv1.Ingress{byName, byNumber, badPort, missing}, Services: []*corev1.Service{s}, EndpointSlices: []*discoveryv1.EndpointSlice{es}})
	for _, host := range []string{"a.com", "b.com"} {
		r, ok := tab.Lookup(host, "/x")
		if !ok || strings.Join(r.Backend.Endpoints, ",") != "10.42.0.4:8080,10.42.0.5:8080" {
			t.Errorf("%s: %+v", host, r.Backend)
		}
	}
	if r, _ := tab.Lookup("c.com", "/"); len(r.Backend.Endpoints) != 0 || !strings.Contains(r.Backend.Problem, "no port 81") {
		t.Errorf("bad port: %+v", r.Backend)
	}
	got := map[string]string{}
	for _, p := range problems {
		got[p.Ingress] = p.Reason
	}
	want := map[string]string{"badport": ReasonPortNotFound, "missing": ReasonServiceNotFound}
	if len(got) != len(want) || got["badport"] != want["badport"] || got["missing"] != want["missing"] {
		t.Errorf("problems %v, want %v", problems, want)
	}

	// Only terminating-but-serving endpoints: they are used (draining).
	es.Endpoints = es.Endpoints[3:]
	tab, _ = Build(Inputs{Classes: []*networkingv1.IngressClass{berthClass(true)}, Ingresses: []*networkingv1.Ingress{byNumber},
		Services: []*corev1.Service{s}, EndpointSlices: []*discoveryv1.EndpointSlice{es}})
	if r, _ := tab.Lookup("b.com", "/"); strings.Join(r.Backend.Endpoints, ",") != "10.42.0.8:8080" {
		t.Errorf("terminating fallback: %+v", r.Backend)
	}
}

func TestDefaultBackendAndConflicts(t *testing.T) {
	old := ing("old", 0, "a.com", pathSpec{"/", prefix, "first"})
	old.Spec.DefaultBackend = &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "fallback", Port: networkingv1.ServiceBackendPort{Number: 80}}}
	young := ing("young", 5, "a.com", pathSpec{"/", prefix, "second"}, pathSpec{"/y", prefix, "second"})
	tab, _ := Build(Inputs{Classes: []*networkingv1.IngressClass{berthClass(true)}, Ingresses: []*networkingv1.Ingress{young, old}})
	for _, c := range []struct{ host, path, want string }{
		{"a.com", "/", "first"},   // the older Ingress wins the conflict
		{"a.com", "/y", "second"}, // non-conflicting paths merge
		{"b.com", "/", "fallback"},
	} {
		r, ok := tab.Lookup(c.host, c.path)
		if !ok || r.Backend.Service != c.want {
			t.Errorf("%s%s: %+v, want %s", c.host, c.path, r.Backend, c.want)
		}
	}
}

func TestCertificatesBySNI(t *testing.T) {
	secret := func(name string) *corev1.Secret {
		c, err := selfSignedCertificate()
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Type: corev1.SecretTypeTLS,
			Data: map[string][]byte{
				corev1.TLSCertKey:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}),
				corev1.TLSPrivateKeyKey: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}),
			}}
	}
	a, wild, def := secret("a"), secret("wild"), secret("def")
	bad := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: "default"}, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x")}}
	i := ing("i", 0, "a.com", pathSpec{"/", prefix, "s"})
	i.Spec.TLS = []networkingv1.IngressTLS{
		{Hosts: []string{"a.com"}, SecretName: "a"},
		{Hosts: []string{"*.b.com"}, SecretName: "wild"},
		{SecretName: "def"},
		{Hosts: []string{"c.com"}, SecretName: "bad"},
		{Hosts: []string{"d.com"}, SecretName: "gone"},
	}
	tab, problems := Build(Inputs{Classes: []*networkingv1.IngressClass{berthClass(true)}, Ingresses: []*networkingv1.Ingress{i},
		Secrets: []*corev1.Secret{a, wild, def, bad}})
	same := func(c *tls.Certificate, s *corev1.Secret) bool {
		b, _ := pem.Decode(s.Data[corev1.TLSCertKey])
		return c != nil && string(c.Certificate[0]) == string(b.Bytes)
	}
	for _, c := range []struct {
		sni  string
		want *corev1.Secret
	}{{"a.com", a}, {"A.COM", a}, {"x.b.com", wild}, {"y.x.b.com", def}, {"other", def}, {"c.com", def}} {
		if !same(tab.Certificate(c.sni), c.want) {
			t.Errorf("SNI %s: not the certificate of Secret %s", c.sni, c.want.Name)
		}
	}
	reasons := []string{}
	for _, p := range problems {
		reasons = append(reasons, p.Reason)
	}
	if strings.Join(reasons, ",") != ReasonServiceNotFound+","+ReasonBadSecret+","+ReasonSecretNotFound {
		t.Errorf("problems: %v", problems)
	}
}
