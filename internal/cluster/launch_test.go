package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/internal/pki"
	"github.com/google/go-cmp/cmp"
)

func TestServerArgs(t *testing.T) {
	p := NewPaths("/s", "/r", "t1")
	n := Node{Index: 0, Name: "t1-node0", NetNS: "berth-t1-node0", IP: "172.28.3.10", Role: "server"}
	want := []string{"server", "--data-dir", "/s/t1/nodes/node0/server", "--listen", "0.0.0.0:6443",
		"--advertise-address", "172.28.3.10", "--node-name", "t1-node0", "--node-ip", "172.28.3.10",
		"--agent-root-dir", "/s/t1/nodes/node0/agent", "--agent-run-dir", "/r/t1/node0",
		"--lb-pool", "172.28.3.200-172.28.3.250"}
	if d := cmp.Diff(want, serverArgs(p, n, false, "")); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff(append(want, "--disable-agent"), serverArgs(p, n, true, "")); d != "" {
		t.Fatalf("no agent (-want +got):\n%s", d)
	}
}

func TestPodNetworkArgs(t *testing.T) {
	p := NewPaths("/s", "/r", "t1")
	n := Node{Index: 1, Name: "t1-node1", IP: "172.28.3.11"}
	for _, args := range [][]string{serverArgs(p, n, false, "host-gw"), agentArgs(p, n, "https://x:6443", "host-gw")} {
		if d := cmp.Diff([]string{"--pod-network", "host-gw"}, args[len(args)-2:]); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
	}
}

func TestAgentArgs(t *testing.T) {
	p := NewPaths("/s", "/r", "t1")
	n := Node{Index: 2, Name: "t1-node2", IP: "172.28.3.12"}
	got := agentArgs(p, n, APIServerURL("172.28.3.10"), "")
	want := []string{"agent", "--server", "https://172.28.3.10:6443", "--node-name", "t1-node2", "--node-ip", "172.28.3.12",
		"--root-dir", "/s/t1/nodes/node2/agent", "--run-dir", "/r/t1/node2"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	for _, a := range got {
		if strings.Contains(a, "K10") {
			t.Fatal("token on the command line")
		}
	}
}

func TestJoinToken(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.EnsureCA(filepath.Join(dir, "tls"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := joinToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	hash, secret, err := pki.ParseJoinToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "s3cret" || !pki.VerifyCAHash(ca.CertPEM(), hash) {
		t.Fatalf("token %q does not pin the CA", tok)
	}
	if _, err := joinToken(t.TempDir()); err == nil {
		t.Fatal("no error without a server")
	}
}

func TestProxyArgsForwarded(t *testing.T) {
	if got := (&State{}).proxyArgs(); len(got) != 0 {
		t.Fatalf("defaults: %v, want no flags", got)
	}
	st := &State{ProxyMode: "iptables", ProxyBalance: "random"}
	want := []string{"--proxy-mode", "iptables", "--proxy-balance", "random"}
	if d := cmp.Diff(want, st.proxyArgs()); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestCreateRejectsBadProxyFlags(t *testing.T) {
	for _, o := range []CreateOptions{{ProxyMode: "ipvs"}, {ProxyBalance: "least-conn"}} {
		o.StateRoot, o.RunRoot, o.Binary = t.TempDir(), t.TempDir(), "/bin/true"
		err := o.defaults()
		if err == nil || !strings.Contains(err.Error(), "--proxy-") {
			t.Fatalf("%+v: %v, want an error naming the flag", o, err)
		}
	}
}
