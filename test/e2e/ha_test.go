package e2e

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/cluster"
	"github.com/berth-project/berth/internal/pki"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestHAControlPlane is acceptance 5 of the many-nodes issue: three
// servers in three node namespaces — the first with --cluster-init, two
// joining it with the join token — form one 3-member etcd cluster. Objects
// written through any of them are read through the others; with the first
// server killed, the other two still answer, nothing written is lost,
// writes go on, and the controllers move to a surviving server.
func TestHAControlPlane(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 3, CreateArgs: []string{"--no-agent", "--server-arg=--cluster-init"}, Serial: true})
	st, err := cluster.LoadState(w.paths)
	if err != nil {
		t.Fatal(err)
	}
	token := joinTokenOf(t, w.paths.ServerDir(0))
	clients := make([]kubernetes.Interface, len(st.Nodes))
	for i, n := range st.Nodes {
		// one server joins at a time, as etcd adds one member at a time
		if i > 0 {
			startJoiningServer(t, w, n, st.APIServer, token)
		}
		cfg := w.RESTConfig()
		cfg.Host = cluster.APIServerURL(n.IP)
		cfg.Timeout = 10 * time.Second
		clients[i] = kubernetes.NewForConfigOrDie(cfg)
		waitFor(t, 120*time.Second, "server on "+n.Name+" ready", func() (bool, string) {
			_, err := clients[i].CoreV1().Namespaces().Get(context.Background(), "kube-system", metav1.GetOptions{})
			return err == nil, fmt.Sprint(err)
		})
	}
	ctx := context.Background()
	const written = 30
	for i := 0; i < written; i++ {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%02d", i)}, Data: map[string]string{"i": fmt.Sprint(i)}}
		if _, err := clients[i%3].CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("write %d through %s: %v", i, st.Nodes[i%3].Name, err)
		}
	}
	for i, c := range clients {
		if n := countConfigMaps(t, c); n != written {
			t.Fatalf("%s sees %d of %d ConfigMaps", st.Nodes[i].Name, n, written)
		}
	}

	// lose the first server
	if out, err := w.berth("cluster", "node", "stop", "--kill", w.Cluster, "0"); err != nil {
		t.Fatalf("killing server 0: %v\n%s", err, out)
	}
	for i, c := range clients[1:] {
		name := st.Nodes[i+1].Name
		waitFor(t, 60*time.Second, name+" answering without server 0", func() (bool, string) {
			n := countConfigMapsErr(c)
			return n == written, fmt.Sprintf("%d ConfigMaps", n)
		})
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after-loss"}}
	waitFor(t, 60*time.Second, "a write through server 1 after the loss", func() (bool, string) {
		_, err := clients[1].CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{})
		return err == nil, fmt.Sprint(err)
	})
	if _, err := clients[2].CoreV1().ConfigMaps("default").Get(ctx, "after-loss", metav1.GetOptions{}); err != nil {
		t.Fatalf("server 2 does not see the write through server 1: %v", err)
	}
	// the controllers moved: a new namespace gets its default ServiceAccount
	if _, err := clients[2].CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "after-loss"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, "the default ServiceAccount from a surviving server's controllers", func() (bool, string) {
		_, err := clients[1].CoreV1().ServiceAccounts("after-loss").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, fmt.Sprint(err)
	})
}

func countConfigMapsErr(c kubernetes.Interface) int {
	list, err := c.CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return -1
	}
	n := 0
	for _, cm := range list.Items {
		if strings.HasPrefix(cm.Name, "cm-") {
			n++
		}
	}
	return n
}

func countConfigMaps(t *testing.T, c kubernetes.Interface) int {
	t.Helper()
	n := countConfigMapsErr(c)
	if n < 0 {
		t.Fatal("listing ConfigMaps failed")
	}
	return n
}

// joinTokenOf builds the K10 join token of the server with data dir dir,
// as `berth cluster` does for its agents.
func joinTokenOf(t *testing.T, dir string) string {
	t.Helper()
	caData, err := os.ReadFile(filepath.Join(dir, "tls", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caData)
	secret, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil || block == nil {
		t.Fatalf("server credentials: %v", err)
	}
	return pki.JoinToken(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes}), strings.TrimSpace(string(secret)))
}

// startJoiningServer runs `berth server --join` in node n's namespaces
// with its data in the node's server directory (so cluster delete finds
// it too); it is killed when the test ends.
func startJoiningServer(t *testing.T, w *NodeWorld, n cluster.Node, first, token string) {
	t.Helper()
	logf, err := os.Create(w.paths.NodeLog(n.Index))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nsenter", "--mount="+w.paths.MountNSPin(n.Index), "--net=/run/netns/"+n.NetNS, "--",
		BerthBinary(t), "server", "--disable-agent", "--join", first,
		"--data-dir", w.paths.ServerDir(n.Index), "--listen", "0.0.0.0:6443",
		"--advertise-address", n.IP, "--node-name", n.Name)
	cmd.Env = append(os.Environ(), "BERTH_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(w.paths.NodeLog(n.Index))
			t.Logf("--- %s log ---\n%s", n.Name, tail(string(b), 40))
		}
	})
}
