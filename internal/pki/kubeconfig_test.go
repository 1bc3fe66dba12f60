package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestWriteKubeconfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "kubeconfig")
	caPEM := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	if err := WriteKubeconfig(path, "https://127.0.0.1:6443", caPEM, "tok123", "berth-dev"); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("kubeconfig mode %v, want 0600", m)
	}
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "berth-dev" {
		t.Fatalf("current-context = %q", cfg.CurrentContext)
	}
	ctx := cfg.Contexts["berth-dev"]
	if ctx == nil || ctx.Cluster != "berth-dev" || ctx.AuthInfo != "berth-dev" {
		t.Fatalf("context = %+v", ctx)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != "https://127.0.0.1:6443" || rc.BearerToken != "tok123" || string(rc.CAData) != string(caPEM) {
		t.Fatalf("rest.Config host=%q token=%q ca=%q", rc.Host, rc.BearerToken, rc.CAData)
	}
	// Rewriting an existing, too-open file tightens it.
	os.Chmod(path, 0o644)
	if err := WriteKubeconfig(path, "https://127.0.0.1:6443", caPEM, "tok123", "berth-dev"); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("rewritten kubeconfig mode %v, want 0600", m)
	}
	if err := WriteKubeconfig(path, "https://x", caPEM, "t", ""); err == nil {
		t.Fatal("empty context name accepted")
	}
}

// The pieces together: a server with the CA-signed serving certificate, a
// kubeconfig from WriteKubeconfig, and client-go's rest transport verifying
// TLS and sending the bearer token.
func TestKubeconfigReachesServer(t *testing.T) {
	dir := t.TempDir()
	ca, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := ca.EnsureServingCert(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	token, err := EnsureToken(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()

	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, host := range []string{"127.0.0.1", "localhost"} {
		kc := filepath.Join(dir, "kc-"+host)
		if err := WriteKubeconfig(kc, "https://"+net.JoinHostPort(host, port), ca.CertPEM(), token, "berth-test"); err != nil {
			t.Fatal(err)
		}
		rc, err := clientcmd.BuildConfigFromFlags("", kc)
		if err != nil {
			t.Fatal(err)
		}
		hc, err := rest.HTTPClientFor(rc)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(rc.Host + "/version")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", host, resp.StatusCode)
		}
	}

	// And a client trusting another CA is refused by TLS.
	other, _ := EnsureCA(t.TempDir())
	kc := filepath.Join(dir, "kc-other")
	WriteKubeconfig(kc, srv.URL, other.CertPEM(), token, "x")
	rc, _ := clientcmd.BuildConfigFromFlags("", kc)
	hc, _ := rest.HTTPClientFor(rc)
	resp, err := hc.Get(rc.Host)
	if err == nil {
		resp.Body.Close()
		t.Fatal("client trusting another CA connected")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("refused with %v, want an unknown-authority error", err)
	}
}

func TestMergeKubeconfig(t *testing.T) {
	dir := t.TempDir()
	into := filepath.Join(dir, ".kube", "config")
	ca := []byte("ca-a")

	// Into a file that does not exist yet.
	a := filepath.Join(dir, "a")
	if err := WriteKubeconfig(a, "https://10.0.0.1:6443", ca, "ta", "berth-a"); err != nil {
		t.Fatal(err)
	}
	if err := MergeKubeconfig(into, a); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, into); m != 0o600 {
		t.Fatalf("merged kubeconfig mode %v, want 0600", m)
	}

	// Into a file with someone else's context: that one stays.
	existing := clientcmdapi.NewConfig()
	existing.Clusters["kind-x"] = &clientcmdapi.Cluster{Server: "https://kind:6443"}
	existing.AuthInfos["kind-x"] = &clientcmdapi.AuthInfo{Token: "kind"}
	existing.Contexts["kind-x"] = &clientcmdapi.Context{Cluster: "kind-x", AuthInfo: "kind-x", Namespace: "dev"}
	existing.CurrentContext = "kind-x"
	if err := clientcmd.WriteToFile(*existing, into); err != nil {
		t.Fatal(err)
	}
	if err := MergeKubeconfig(into, a); err != nil {
		t.Fatal(err)
	}
	// The same name again with new values replaces the entries.
	if err := WriteKubeconfig(a, "https://10.0.0.2:6443", ca, "ta2", "berth-a"); err != nil {
		t.Fatal(err)
	}
	if err := MergeKubeconfig(into, a); err != nil {
		t.Fatal(err)
	}

	got, err := clientcmd.LoadFromFile(into)
	if err != nil {
		t.Fatal(err)
	}
	if got.CurrentContext != "berth-a" {
		t.Errorf("current-context = %q, want berth-a", got.CurrentContext)
	}
	if len(got.Contexts) != 2 || len(got.Clusters) != 2 || len(got.AuthInfos) != 2 {
		t.Errorf("contexts/clusters/users = %d/%d/%d, want 2 each", len(got.Contexts), len(got.Clusters), len(got.AuthInfos))
	}
	if c := got.Contexts["kind-x"]; c == nil || c.Namespace != "dev" || got.Clusters["kind-x"].Server != "https://kind:6443" {
		t.Errorf("unrelated context damaged: %+v", c)
	}
	for ctxName, want := range map[string][2]string{
		"berth-a": {"https://10.0.0.2:6443", "ta2"},
		"kind-x":  {"https://kind:6443", "kind"},
	} {
		rc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: into},
			&clientcmd.ConfigOverrides{CurrentContext: ctxName}).ClientConfig()
		if err != nil {
			t.Fatalf("%s: %v", ctxName, err)
		}
		if rc.Host != want[0] || rc.BearerToken != want[1] {
			t.Errorf("%s: host=%q token=%q, want %v", ctxName, rc.Host, rc.BearerToken, want)
		}
	}
	if _, err := os.Stat(into + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	if err := MergeKubeconfig(into, filepath.Join(dir, "missing")); err == nil {
		t.Error("merging a missing kubeconfig succeeded")
	}
}

func TestMergeKubeconfigFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real-config")
	link := filepath.Join(dir, "config")
	from := filepath.Join(dir, "from")
	if err := WriteKubeconfig(real, "https://old", []byte("ca"), "t", "old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteKubeconfig(from, "https://new", []byte("ca"), "t", "berth-new"); err != nil {
		t.Fatal(err)
	}
	if err := MergeKubeconfig(link, from); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink was replaced by a file")
	}
	got, err := clientcmd.LoadFromFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if got.Contexts["berth-new"] == nil || got.Contexts["old"] == nil {
		t.Fatalf("symlink target not merged: %v", got.Contexts)
	}
}
