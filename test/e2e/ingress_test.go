package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ingressClient sends every request to the node's ingress proxy from
// outside the node.
func (w *NodeWorld) ingressClient(keepAlive bool) *http.Client {
	return w.HTTPClient(false, w.NodeIP, keepAlive)
}

// ingressGet returns status, body and the response of one GET.
func ingressGet(c *http.Client, url string) (int, string, *http.Response, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp, err
}

// selfSignedPEM makes a certificate and key for host.
func selfSignedPEM(t *testing.T, host string) (certPEM, keyPEM []byte, der []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), der
}

func (w *NodeWorld) apply(t *testing.T, yaml string) {
	t.Helper()
	if out, err := w.KubectlErr(yaml, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
}

// serviceYAML: port 80 named http, to the pods' port 80.
const serviceYAML = `apiVersion: v1
kind: Service
metadata:
  name: %s
spec:
  selector: {app: %s}
  ports:
  - {name: http, port: 80, targetPort: 80}
`

const ingressRoutesYAML = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: apps
spec:
  tls:
  - hosts: [a.example.com]
    secretName: a-tls
  - hosts: [b.example.com]
    secretName: b-tls
  rules:
  - host: demo.example.com
    http:
      paths:
      - {path: /app1, pathType: Prefix, backend: {service: {name: app1, port: {number: 80}}}}
      - {path: /app2, pathType: Prefix, backend: {service: {name: app2, port: {name: http}}}}
      - {path: /empty, pathType: Exact, backend: {service: {name: empty, port: {number: 80}}}}
      - {path: /ws, pathType: Exact, backend: {service: {name: app1, port: {number: 80}}}}
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: app1, port: {number: 80}}}}
  - host: b.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: app2, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ghost
spec:
  tls:
  - hosts: [ghost.example.com]
    secretName: no-such-secret
  rules:
  - host: ghost.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: no-such-service, port: {number: 80}}}}
`

// TestIngressRouting is acceptance 1 and 2 of the Ingress issue: one
// Ingress routes /app1 and /app2 of one host to two Deployments; unknown
// paths get 404 and a Service without endpoints 503; TLS hosts get their
// own Secret's certificate by SNI over HTTP/2; status and events are set.
func TestIngressRouting(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	for _, app := range []string{"app1", "app2", "empty"} {
		if app != "empty" { // empty: a Service whose selector matches no pod
			w.Kubectl("create", "deployment", app, "--image=testhost", "--replicas=2")
		}
		w.apply(t, fmt.Sprintf(serviceYAML, app, app))
	}
	dir := t.TempDir()
	ders := map[string][]byte{}
	for _, h := range []string{"a", "b"} {
		c, k, der := selfSignedPEM(t, h+".example.com")
		ders[h] = der
		cf, kf := filepath.Join(dir, h+".crt"), filepath.Join(dir, h+".key")
		if err := os.WriteFile(cf, c, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(kf, k, 0o600); err != nil {
			t.Fatal(err)
		}
		w.Kubectl("create", "secret", "tls", h+"-tls", "--cert="+cf, "--key="+kf)
	}
	w.apply(t, ingressRoutesYAML)
	w.Kubectl("rollout", "status", "deployment/app1", "--timeout=120s")
	w.Kubectl("rollout", "status", "deployment/app2", "--timeout=120s")
	w.waitPods(t, "app=app1", 2)
	w.waitPods(t, "app=app2", 2)

	// The default class and the ingress Service exist from bootstrap.
	mustContain(t, w.Kubectl("get", "ingressclass", "berth", "-o", "yaml"), "berth.dev/ingress", `ingressclass.kubernetes.io/is-default-class: "true"`)
	waitFor(t, 60*time.Second, "berth-ingress EndpointSlice with the node", func() (bool, string) {
		out, _ := w.KubectlErr("", "-n", "kube-system", "get", "endpointslice", "berth-ingress", "-o", "jsonpath={.endpoints[*].addresses[0]} {.ports[*].port}")
		return strings.Contains(out, w.NodeIP) && strings.Contains(out, "80") && strings.Contains(out, "443"), out
	})
	// The LoadBalancer controller gives berth-ingress an address from the
	// cluster's pool; every Ingress's status shows it.
	var lbIP string
	waitFor(t, 60*time.Second, "an EXTERNAL-IP for berth-ingress", func() (bool, string) {
		out, _ := w.KubectlErr("", "-n", "kube-system", "get", "svc", "berth-ingress", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
		lbIP = strings.TrimSpace(out)
		return lbIP != "", out
	})
	waitFor(t, 60*time.Second, "Ingress status with the LoadBalancer address", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "ingress", "apps", "-o", "jsonpath={.status.loadBalancer.ingress[*].ip}")
		return strings.TrimSpace(out) == lbIP, out
	})

	// Requests to the LoadBalancer address, from outside the node.
	c := w.HTTPClient(false, lbIP, true)
	hostOf := func(url string) string {
		code, body, _, err := ingressGet(c, url)
		if err != nil || code != 200 {
			return fmt.Sprintf("error: %d %v %s", code, err, body)
		}
		var r testhostReply
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return "bad JSON: " + body
		}
		return r.Hostname
	}
	waitFor(t, 60*time.Second, "routes through the ingress", func() (bool, string) {
		h := hostOf("http://demo.example.com/app1")
		return strings.HasPrefix(h, "app1-"), h
	})
	seen := map[string]bool{}
	for i := 0; i < 8; i++ {
		h1, h2 := hostOf("http://demo.example.com/app1/x"), hostOf("http://demo.example.com/app2")
		if !strings.HasPrefix(h1, "app1-") || !strings.HasPrefix(h2, "app2-") {
			t.Fatalf("/app1 reached %q, /app2 reached %q", h1, h2)
		}
		seen[h1], seen[h2] = true, true
	}
	if len(seen) != 4 {
		t.Errorf("requests reached %d pods, want all 4: %v", len(seen), seen)
	}
	// The backend sees where the request came from.
	_, body, _, _ := ingressGet(c, "http://demo.example.com/app1")
	mustContain(t, body, `"X-Forwarded-For"`, `"X-Forwarded-Host"`, `"demo.example.com"`, `"X-Forwarded-Proto"`)

	for _, tc := range []struct {
		url  string
		code int
	}{
		{"http://demo.example.com/other", 404},
		{"http://unknown.example.com/app1", 404},
		{"http://demo.example.com/empty", 503},
		{"http://ghost.example.com/", 503},
	} {
		code, body, _, err := ingressGet(c, tc.url)
		if err != nil || code != tc.code {
			t.Errorf("%s: %d %v %q, want %d", tc.url, code, err, body, tc.code)
		}
	}
	// The same through the node's own address, with curl and --resolve.
	out, _ := w.InOutside("curl", "-s", "-m", "10", "--resolve", "demo.example.com:80:"+w.NodeIP, "http://demo.example.com/app2")
	mustContain(t, out, `"hostname": "app2-`)

	// Acceptance 2: each TLS host gets its own certificate (SNI), over HTTP/2.
	for h, want := range map[string]string{"a": "app1-", "b": "app2-"} {
		code, body, resp, err := ingressGet(c, "https://"+h+".example.com/")
		if err != nil || code != 200 || !strings.Contains(body, `"hostname": "`+want) {
			t.Fatalf("https %s: %d %v %s", h, code, err, body)
		}
		if !bytes.Equal(resp.TLS.PeerCertificates[0].Raw, ders[h]) {
			t.Errorf("%s.example.com served %q, not its Secret's certificate", h, resp.TLS.PeerCertificates[0].Subject)
		}
		if resp.Proto != "HTTP/2.0" {
			t.Errorf("%s.example.com: %s, want HTTP/2.0", h, resp.Proto)
		}
	}
	// HTTP/1.1 over TLS too.
	out, err := w.InOutside("curl", "-sk", "--http1.1", "-m", "10", "--resolve", "a.example.com:443:"+w.NodeIP, "-w", "\n%{http_version}", "https://a.example.com/")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "1.1") {
		t.Errorf("curl --http1.1: %v\n%s", err, out)
	}

	// A WebSocket upgrade passes through, both ways.
	ws, err := dialIn(w.Outside)(context.Background(), "tcp", net.JoinHostPort(lbIP, "80"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(ws, "GET /ws HTTP/1.1\r\nHost: demo.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(ws)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusSwitchingProtocols ||
		resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("WebSocket upgrade through the ingress: %v %v", resp, err)
	}
	io.WriteString(ws, "ping over the ingress")
	echo := make([]byte, len("ping over the ingress"))
	if _, err := io.ReadFull(br, echo); err != nil || string(echo) != "ping over the ingress" {
		t.Errorf("WebSocket echo: %q %v", echo, err)
	}

	// Requests by status code on the server's /metrics (its in-process agent).
	mustContain(t, w.Kubectl("get", "--raw", "/metrics"), `berth_ingress_requests_total{code="200"}`, `berth_ingress_requests_total{code="404"}`)

	// Events on the Ingress with missing references.
	waitFor(t, 60*time.Second, "events on Ingress ghost", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "events", "-o", `jsonpath={range .items[?(@.involvedObject.name=="ghost")]}{.reason} {end}`)
		return strings.Contains(out, "ServiceNotFound") && strings.Contains(out, "SecretNotFound"), out
	})
}

// TestIngressEveryNode: on a two-node cluster the berth-ingress Service's
// EndpointSlice lists both nodes, and the proxy answers on each node (the
// agent-only node too).
func TestIngressEveryNode(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 2})
	waitFor(t, 60*time.Second, "berth-ingress EndpointSlice with both nodes", func() (bool, string) {
		out, _ := w.KubectlErr("", "-n", "kube-system", "get", "endpointslice", "berth-ingress", "-o", "jsonpath={.endpoints[*].addresses[0]}")
		return strings.Contains(out, w.Nodes[0].IP) && strings.Contains(out, w.Nodes[1].IP), out
	})
	for _, n := range w.Nodes {
		c := w.HTTPClient(false, n.IP, false)
		waitFor(t, 60*time.Second, "the ingress proxy on "+n.Name, func() (bool, string) {
			code, body, _, err := ingressGet(c, "http://nothing.example.com/")
			return err == nil && code == 404 && strings.Contains(body, "no Ingress rule"), fmt.Sprint(code, err, body)
		})
	}
}
