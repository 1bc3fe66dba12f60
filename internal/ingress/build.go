package ingress

import (
	"crypto/tls"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Inputs are the observed objects a Table is built from.
type Inputs struct {
	Ingresses      []*networkingv1.Ingress
	Classes        []*networkingv1.IngressClass
	Services       []*corev1.Service
	EndpointSlices []*discoveryv1.EndpointSlice
	Secrets        []*corev1.Secret
	// ParseCertificate, when set, replaces parsing a Secret's tls.crt and
	// tls.key (the proxy caches parsed keys by resourceVersion).
	ParseCertificate func(*corev1.Secret) (*tls.Certificate, error)
}

// ParseSecretCertificate reads a kubernetes.io/tls Secret's certificate
// chain and key.
func ParseSecretCertificate(sec *corev1.Secret) (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		return nil, err
	}
	return &cert, nil
}

// Problem is something an Ingress references that is missing or unusable;
// the controller turns each into a Warning event on the Ingress.
type Problem struct {
	Namespace, Ingress string
	Reason             string // ServiceNotFound, SecretNotFound, …
	Message            string
}

// Event reasons of Problems, in Kubernetes' CamelCase style.
const (
	ReasonServiceNotFound = "ServiceNotFound"
	ReasonPortNotFound    = "ServicePortNotFound"
	ReasonBadBackend      = "UnsupportedBackend"
	ReasonSecretNotFound  = "SecretNotFound"
	ReasonBadSecret       = "InvalidSecret"
)

// Build computes the routing table from observed objects, and the problems
// of the Ingresses it serves. It does no I/O.
func Build(in Inputs) (*Table, []Problem) {
	b := builder{
		in:              in,
		services:        map[string]*corev1.Service{},
		slices:          map[string][]*discoveryv1.EndpointSlice{},
		secrets:         map[string]*corev1.Secret{},
		backends:        map[string]*Backend{},
		backendProblems: map[string]Problem{},
		t: &Table{
			exact: map[string]*hostRoutes{}, wildcards: map[string]*hostRoutes{},
			certs: map[string]*tls.Certificate{}, wildcardCerts: map[string]*tls.Certificate{},
		},
	}
	for _, s := range in.Services {
		b.services[s.Namespace+"/"+s.Name] = s
	}
	for _, s := range in.EndpointSlices {
		if name := s.Labels[discoveryv1.LabelServiceName]; name != "" {
			b.slices[s.Namespace+"/"+name] = append(b.slices[s.Namespace+"/"+name], s)
		}
	}
	for _, s := range in.Secrets {
		b.secrets[s.Namespace+"/"+s.Name] = s
	}
	for _, ing := range SortedIngresses(in.Ingresses, in.Classes) {
		b.addIngress(ing)
	}
	for _, g := range b.allGroups() {
		sortRoutes(g.routes)
	}
	return b.t, b.problems
}

// SortedIngresses returns the Ingresses berth serves, oldest first (then by
// namespace/name): on conflicting rules the oldest Ingress wins, as with
// other controllers.
func SortedIngresses(ings []*networkingv1.Ingress, classes []*networkingv1.IngressClass) []*networkingv1.Ingress {
	var out []*networkingv1.Ingress
	for _, ing := range ings {
		if ing.DeletionTimestamp == nil && IsOurs(ing, classes) {
			out = append(out, ing)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	return out
}

type builder struct {
	in       Inputs
	services map[string]*corev1.Service
	slices   map[string][]*discoveryv1.EndpointSlice
	secrets  map[string]*corev1.Secret
	backends map[string]*Backend
	// backendProblems are the Problems of shared backends by key.
	backendProblems map[string]Problem
	t               *Table
	problems        []Problem
}

func (b *builder) problem(ing *networkingv1.Ingress, reason, format string, args ...any) {
	b.problems = append(b.problems, Problem{Namespace: ing.Namespace, Ingress: ing.Name, Reason: reason, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) allGroups() []*hostRoutes {
	out := []*hostRoutes{}
	for _, g := range b.t.exact {
		out = append(out, g)
	}
	for _, g := range b.t.wildcards {
		out = append(out, g)
	}
	if b.t.anyHost != nil {
		out = append(out, b.t.anyHost)
	}
	return out
}

func (b *builder) group(host string) *hostRoutes {
	host = normalizeHost(host)
	m, key := b.t.exact, host
	switch {
	case host == "":
		if b.t.anyHost == nil {
			b.t.anyHost = &hostRoutes{}
		}
		return b.t.anyHost
	case strings.HasPrefix(host, "*."):
		m, key = b.t.wildcards, host[1:]
	}
	g := m[key]
	if g == nil {
		g = &hostRoutes{}
		m[key] = g
	}
	return g
}

func (b *builder) addIngress(ing *networkingv1.Ingress) {
	var def *Backend
	if ing.Spec.DefaultBackend != nil {
		def = b.backend(ing, *ing.Spec.DefaultBackend)
		if b.t.defaultBackend == nil {
			b.t.defaultBackend = def
		}
	}
	for _, rule := range ing.Spec.Rules {
		g := b.group(rule.Host)
		if g.defaultBackend == nil {
			g.defaultBackend = def
		}
		if rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			typ := networkingv1.PathTypePrefix
			if p.PathType != nil && *p.PathType == networkingv1.PathTypeExact {
				typ = networkingv1.PathTypeExact
			}
			path := p.Path
			if path == "" {
				path = "/"
			}
			if hasRoute(g.routes, path, typ) {
				continue // an older Ingress has it
			}
			g.routes = append(g.routes, route{path: path, typ: typ, elems: len(pathElements(path)), backend: b.backend(ing, p.Backend)})
		}
	}
	for _, t := range ing.Spec.TLS {
		b.addTLS(ing, t)
	}
}

func hasRoute(routes []route, path string, typ networkingv1.PathType) bool {
	for _, r := range routes {
		if r.path == path && r.typ == typ {
			return true
		}
	}
	return false
}

// sortRoutes orders paths most specific first: more path elements, then the
// longer string, then Exact before Prefix. The sort is stable, so equal
// paths keep the order of their (older first) Ingresses.
func sortRoutes(rs []route) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.elems != b.elems {
			return a.elems > b.elems
		}
		if len(a.path) != len(b.path) {
			return len(a.path) > len(b.path)
		}
		return a.typ == networkingv1.PathTypeExact && b.typ != networkingv1.PathTypeExact
	})
}

// backend resolves an Ingress backend to a Service port and its endpoints.
func (b *builder) backend(ing *networkingv1.Ingress, ib networkingv1.IngressBackend) *Backend {
	if ib.Service == nil {
		b.problem(ing, ReasonBadBackend, "resource backends are not supported by the berth ingress controller")
		return &Backend{Key: "resource:" + ing.Namespace + "/" + ing.Name, Namespace: ing.Namespace, Problem: "resource backends are not supported"}
	}
	portRef := ib.Service.Port.Name
	if portRef == "" {
		portRef = strconv.Itoa(int(ib.Service.Port.Number))
	}
	key := ing.Namespace + "/" + ib.Service.Name + ":" + portRef
	if be, ok := b.backends[key]; ok {
		if p, bad := b.backendProblems[key]; bad {
			b.problem(ing, p.Reason, "%s", p.Message)
		}
		return be
	}
	be := b.resolve(ing, ib, portRef)
	b.backends[key] = be
	be.Key = key
	return be
}

// resolve looks up a backend's Service, port and endpoints; a missing or
// unusable Service is recorded as a Problem, kept for the other Ingresses
// that use the same backend.
func (b *builder) resolve(ing *networkingv1.Ingress, ib networkingv1.IngressBackend, portRef string) *Backend {
	n := len(b.problems)
	be := b.resolveService(ing, ib, portRef)
	if len(b.problems) > n {
		b.backendProblems[ing.Namespace+"/"+ib.Service.Name+":"+portRef] = b.problems[n]
	}
	return be
}

func (b *builder) resolveService(ing *networkingv1.Ingress, ib networkingv1.IngressBackend, portRef string) *Backend {
	be := &Backend{Namespace: ing.Namespace, Service: ib.Service.Name}
	svc := b.services[ing.Namespace+"/"+ib.Service.Name]
	switch {
	case svc == nil:
		be.Problem = fmt.Sprintf("service %q not found", ing.Namespace+"/"+ib.Service.Name)
		b.problem(ing, ReasonServiceNotFound, "Service %q not found", ing.Namespace+"/"+ib.Service.Name)
		return be
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		be.Problem = fmt.Sprintf("service %q is of type ExternalName", ing.Namespace+"/"+ib.Service.Name)
		b.problem(ing, ReasonBadBackend, "Service %q is of type ExternalName, which the berth ingress controller does not route to", ing.Namespace+"/"+ib.Service.Name)
		return be
	}
	sp, ok := servicePort(svc, ib.Service.Port)
	if !ok {
		be.Problem = fmt.Sprintf("service %q has no port %s", ing.Namespace+"/"+ib.Service.Name, portRef)
		b.problem(ing, ReasonPortNotFound, "Service %q has no port %s", ing.Namespace+"/"+ib.Service.Name, portRef)
		return be
	}
	be.Endpoints = endpointsFor(b.slices[ing.Namespace+"/"+svc.Name], sp)
	if len(be.Endpoints) == 0 {
		be.Problem = fmt.Sprintf("no ready endpoints for service %q port %s", ing.Namespace+"/"+ib.Service.Name, portRef)
	}
	return be
}

// servicePort finds the Service port an Ingress backend names, by number or
// by name.
func servicePort(svc *corev1.Service, ref networkingv1.ServiceBackendPort) (corev1.ServicePort, bool) {
	for _, p := range svc.Spec.Ports {
		if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if (ref.Name != "" && p.Name == ref.Name) || (ref.Name == "" && p.Port == ref.Number) {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// endpointsFor lists "ip:port" of the endpoints of a Service port: the
// slice port carrying the Service port's name gives the target port
// (resolved from a named container port by the EndpointSlice controller).
// Ready endpoints only; when none is ready, serving terminating ones (as
// kube-proxy does), so a Service whose pods all terminate still drains.
func endpointsFor(slices []*discoveryv1.EndpointSlice, sp corev1.ServicePort) []string {
	var ready, terminating []string
	seen := map[string]bool{}
	for _, s := range slices {
		if s.AddressType != discoveryv1.AddressTypeIPv4 && s.AddressType != discoveryv1.AddressTypeIPv6 {
			continue
		}
		port := int32(-1)
		for _, p := range s.Ports {
			name := ""
			if p.Name != nil {
				name = *p.Name
			}
			if name == sp.Name && p.Port != nil && (p.Protocol == nil || *p.Protocol == corev1.ProtocolTCP) {
				port = *p.Port
			}
		}
		if port < 0 {
			continue
		}
		for _, ep := range s.Endpoints {
			if len(ep.Addresses) == 0 {
				continue
			}
			addr := joinHostPort(ep.Addresses[0], port)
			if seen[addr] {
				continue
			}
			c := ep.Conditions
			switch {
			case c.Ready == nil || *c.Ready:
				seen[addr] = true
				ready = append(ready, addr)
			case c.Serving != nil && *c.Serving && c.Terminating != nil && *c.Terminating:
				seen[addr] = true
				terminating = append(terminating, addr)
			}
		}
	}
	if len(ready) == 0 {
		ready = terminating
	}
	sort.Strings(ready)
	return ready
}

func joinHostPort(ip string, port int32) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + strconv.Itoa(int(port))
	}
	return ip + ":" + strconv.Itoa(int(port))
}

// addTLS adds the certificate of one TLS entry for its hosts.
func (b *builder) addTLS(ing *networkingv1.Ingress, t networkingv1.IngressTLS) {
	if t.SecretName == "" {
		return
	}
	ref := ing.Namespace + "/" + t.SecretName
	sec := b.secrets[ref]
	if sec == nil {
		b.problem(ing, ReasonSecretNotFound, "Secret %q not found", ref)
		return
	}
	parse := b.in.ParseCertificate
	if parse == nil {
		parse = ParseSecretCertificate
	}
	cert, err := parse(sec)
	if err != nil {
		b.problem(ing, ReasonBadSecret, "Secret %q: %s and %s do not hold a usable certificate and key: %v", ref, corev1.TLSCertKey, corev1.TLSPrivateKeyKey, err)
		return
	}
	if len(t.Hosts) == 0 {
		if b.t.defaultCert == nil {
			b.t.defaultCert = cert
		}
		return
	}
	for _, h := range t.Hosts {
		h = normalizeHost(h)
		m, key := b.t.certs, h
		if strings.HasPrefix(h, "*.") {
			m, key = b.t.wildcardCerts, h[1:]
		}
		if m[key] == nil {
			m[key] = cert
		}
	}
}
