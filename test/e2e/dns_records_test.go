package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// clusterDNS is the node-local cluster DNS address pods' resolv.conf names.
const clusterDNS = "10.43.0.10:53"

// rrText is a record as the specification's examples write it, without
// the TTL: "name. TYPE rdata", names lowercased (comparisons are
// case-insensitive).
func rrText(rr mdns.RR) string {
	f := strings.Fields(rr.String()) // name ttl class type rdata...
	if len(f) < 4 {
		return rr.String()
	}
	return strings.ToLower(f[0] + " " + strings.Join(append([]string{f[3]}, f[4:]...), " "))
}

func rrTexts(rrs []mdns.RR) []string {
	var out []string
	for _, rr := range rrs {
		if rr.Header().Rrtype == mdns.TypeOPT {
			continue
		}
		out = append(out, rrText(rr))
	}
	slices.Sort(out)
	return out
}

// dnsCase is one question and the answer the specification asks for.
type dnsCase struct {
	name   string
	qtype  uint16
	rcode  int
	answer []string // rrText, in any order
	// soa: the authority section holds the zone's SOA (negative answers).
	soa bool
	// extra lists records the additional section must contain.
	extra []string
}

// TestDNSRecords is acceptance 5: every record kind of the Kubernetes
// DNS-Based Service Discovery specification (schema 1.0.1), asked from a
// pod's network namespace at the node-local cluster DNS, over UDP and TCP,
// checked against the forms of the specification's examples.
func TestDNSRecords(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	w.Kubectl("create", "deployment", "nginx", "--image=testhost", "--replicas=1")
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: nginx}
  ports:
  - {name: http, port: 80, targetPort: 80}
  - {name: echo, port: 8081, targetPort: 8081, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: hl}
spec:
  clusterIP: None
  selector: {app: hl}
  ports:
  - {name: http, port: 8080, targetPort: 80}
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  clusterIP: None
  selector: {app: nothing}
  ports:
  - {name: http, port: 80}
---
apiVersion: v1
kind: Service
metadata: {name: alias}
spec:
  type: ExternalName
  externalName: web.default.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  type: ExternalName
  externalName: www.example.com
`+hlPod("h0", "hostname: h0\n  subdomain: hl")+hlPod("h1", "hostname: h1\n  subdomain: hl")+hlPod("anon", ""), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	uid := w.clientPod(t, "client")
	w.waitReady(t, "h0", "h1", "anon")
	w.waitPods(t, "app=nginx", 1)
	w.waitReadyEndpoints(t, "hl", 3)
	w.waitReadyEndpoints(t, "web", 1)

	webIP := strings.TrimSpace(w.Kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"))
	h0 := w.podField(t, "h0", "{.status.podIP}")
	h1 := w.podField(t, "h1", "{.status.podIP}")
	anon := w.podField(t, "anon", "{.status.podIP}")
	client := w.podField(t, "client", "{.status.podIP}")
	dash := func(ip string) string { return strings.ReplaceAll(ip, ".", "-") }
	rev := func(ip string) string {
		name, err := mdns.ReverseAddr(ip)
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	const z = "cluster.local."
	web := "web.default.svc." + z
	hl := "hl.default.svc." + z

	cases := []dnsCase{
		// 2.2 schema version
		{name: "dns-version." + z, qtype: mdns.TypeTXT, answer: []string{`dns-version.cluster.local. txt "1.0.1"`}},
		// 2.3.1 A record of a ClusterIP Service
		{name: web, qtype: mdns.TypeA, answer: []string{web + " a " + webIP}},
		// 2.3.2 SRV for each named port: _<port>._<proto>.<svc>.<ns>.svc.<zone>
		{name: "_http._tcp." + web, qtype: mdns.TypeSRV, answer: []string{"_http._tcp." + web + " srv 0 100 80 " + web}, extra: []string{web + " a " + webIP}},
		{name: "_echo._udp." + web, qtype: mdns.TypeSRV, answer: []string{"_echo._udp." + web + " srv 0 100 8081 " + web}},
		// 2.3.3 PTR of the ClusterIP
		{name: rev(webIP), qtype: mdns.TypePTR, answer: []string{rev(webIP) + " ptr " + web}},
		// 2.4.1 headless: one A per ready endpoint, and <hostname>.<svc>... per endpoint
		{name: hl, qtype: mdns.TypeA, answer: []string{hl + " a " + h0, hl + " a " + h1, hl + " a " + anon}},
		{name: "h0." + hl, qtype: mdns.TypeA, answer: []string{"h0." + hl + " a " + h0}},
		{name: "h1." + hl, qtype: mdns.TypeA, answer: []string{"h1." + hl + " a " + h1}},
		// an endpoint without hostname has a system-assigned one (its dashed IP)
		{name: dash(anon) + "." + hl, qtype: mdns.TypeA, answer: []string{dash(anon) + "." + hl + " a " + anon}},
		// ... and NXDOMAIN when it has no ready endpoint
		{name: "empty.default.svc." + z, qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		// 2.4.2 headless SRV: one per ready endpoint, to its name, with the endpoint's port
		{name: "_http._tcp." + hl, qtype: mdns.TypeSRV, answer: []string{
			"_http._tcp." + hl + " srv 0 100 80 h0." + hl,
			"_http._tcp." + hl + " srv 0 100 80 h1." + hl,
			"_http._tcp." + hl + " srv 0 100 80 " + dash(anon) + "." + hl}},
		// 2.4.3 PTR of a headless endpoint
		{name: rev(h0), qtype: mdns.TypePTR, answer: []string{rev(h0) + " ptr h0." + hl}},
		// 2.5 ExternalName: a CNAME (chased inside the zone)
		{name: "alias.default.svc." + z, qtype: mdns.TypeCNAME, answer: []string{"alias.default.svc." + z + " cname " + web}},
		{name: "alias.default.svc." + z, qtype: mdns.TypeA, answer: []string{"alias.default.svc." + z + " cname " + web, web + " a " + webIP}},
		{name: "ext.default.svc." + z, qtype: mdns.TypeCNAME, answer: []string{"ext.default.svc." + z + " cname www.example.com."}},
		// 2.6 pods: <a-b-c-d>.<ns>.pod.<zone>
		{name: dash(client) + ".default.pod." + z, qtype: mdns.TypeA, answer: []string{dash(client) + ".default.pod." + z + " a " + client}},
		// 2.6 (deprecated, required): any <a>-<b>-<c>-<d>
		{name: "192-0-2-7.default.pod." + z, qtype: mdns.TypeA, answer: []string{"192-0-2-7.default.pod." + z + " a 192.0.2.7"}},
		// NXDOMAIN for names that do not exist, with the SOA
		{name: "nosuch.default.svc." + z, qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "h9." + hl, qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		{name: "_nosuch._tcp." + web, qtype: mdns.TypeSRV, rcode: mdns.RcodeNameError, soa: true},
		{name: "web.nosuchns.svc." + z, qtype: mdns.TypeA, rcode: mdns.RcodeNameError, soa: true},
		// NODATA (NOERROR, no answer, SOA) for names that exist without the type
		{name: web, qtype: mdns.TypeAAAA, soa: true},
		{name: web, qtype: mdns.TypeTXT, soa: true},
		{name: "dns-version." + z, qtype: mdns.TypeA, soa: true},
		{name: "_http._tcp." + web, qtype: mdns.TypeA, soa: true},
		{name: "default.svc." + z, qtype: mdns.TypeA, soa: true},
		// case-insensitive
		{name: "WeB.DeFault.SVC.Cluster.LOCAL.", qtype: mdns.TypeA, answer: []string{web + " a " + webIP}},
		{name: "_HTTP._Tcp.Hl.default.svc.cluster.local.", qtype: mdns.TypeSRV, answer: []string{
			"_http._tcp." + hl + " srv 0 100 80 h0." + hl,
			"_http._tcp." + hl + " srv 0 100 80 h1." + hl,
			"_http._tcp." + hl + " srv 0 100 80 " + dash(anon) + "." + hl}},
		{name: "H0." + strings.ToUpper(hl), qtype: mdns.TypeA, answer: []string{"h0." + hl + " a " + h0}},
	}

	ns := PodNetNS(t, uid)
	for _, proto := range []string{"udp", "tcp"} {
		t.Logf("%d questions over %s", len(cases), proto)
		for _, c := range cases {
			resp, err := DNSQueryIn(ns, proto, clusterDNS, c.name, c.qtype)
			what := fmt.Sprintf("%s %s %s", proto, c.name, mdns.TypeToString[c.qtype])
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			checkAnswer(t, what, c, resp)
		}
	}
}

// hlPod is a testhost pod behind the headless Service hl, with extra spec
// fields (hostname, subdomain).
func hlPod(name, spec string) string {
	return fmt.Sprintf(`---
apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: hl}}
spec:
  %s
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: testhost, args: [serve, --port, "80"]}]
`, name, spec)
}

// TestDNSTruncation: an answer too big for a plain UDP response (a
// headless Service of 60 endpoints, from a hand-made EndpointSlice) comes
// back truncated with TC set over UDP, and whole over TCP.
func TestDNSTruncation(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	var eps strings.Builder
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&eps, "- addresses: [\"10.99.0.%d\"]\n  conditions: {ready: true}\n", i)
	}
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Service
metadata: {name: big}
spec:
  clusterIP: None
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: big-1
  labels: {kubernetes.io/service-name: big}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints:
`+eps.String(), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	ns := PodNetNS(t, w.clientPod(t, "client"))
	const name = "big.default.svc.cluster.local."
	var full *mdns.Msg
	waitFor(t, 30*time.Second, "60 A records over TCP", func() (bool, string) {
		resp, err := DNSQueryIn(ns, "tcp", clusterDNS, name, mdns.TypeA)
		if err != nil {
			return false, err.Error()
		}
		full = resp
		return len(resp.Answer) == 60 && !resp.Truncated, fmt.Sprintf("%d answers", len(resp.Answer))
	})
	resp, err := DNSQueryIn(ns, "udp", clusterDNS, name, mdns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	resp.Compress, full.Compress = true, true // sizes as sent on the wire
	if !resp.Truncated || len(resp.Answer) >= 60 || resp.Len() > mdns.MinMsgSize {
		t.Fatalf("UDP answer of %d bytes, %d records, TC=%v; want TC within 512 bytes", resp.Len(), len(resp.Answer), resp.Truncated)
	}
	t.Logf("UDP: %d of %d records in %d bytes with TC; TCP: %d bytes", len(resp.Answer), len(full.Answer), resp.Len(), full.Len())
}

func checkAnswer(t *testing.T, what string, c dnsCase, resp *mdns.Msg) {
	t.Helper()
	got := rrTexts(resp.Answer)
	want := slices.Clone(c.answer)
	for i := range want {
		want[i] = strings.ToLower(want[i])
	}
	slices.Sort(want)
	switch {
	case resp.Rcode != c.rcode:
		t.Errorf("%s: rcode %s, want %s\n%s", what, mdns.RcodeToString[resp.Rcode], mdns.RcodeToString[c.rcode], resp)
	case !slices.Equal(got, want):
		t.Errorf("%s: answer\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	case !resp.Authoritative:
		t.Errorf("%s: not authoritative", what)
	case c.soa && (len(resp.Ns) != 1 || resp.Ns[0].Header().Rrtype != mdns.TypeSOA):
		t.Errorf("%s: authority %v, want the zone's SOA", what, resp.Ns)
	}
	extra := rrTexts(resp.Extra)
	for _, e := range c.extra {
		if !slices.Contains(extra, strings.ToLower(e)) {
			t.Errorf("%s: additional section %v lacks %q", what, extra, e)
		}
	}
}
