package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestExternalEtcd runs the server on Debian's etcd (etcd-server package),
// started by the test, with --etcd-endpoints; objects survive a restart.
func TestExternalEtcd(t *testing.T) {
	etcdBin, err := exec.LookPath("etcd")
	if err != nil {
		t.Skip("etcd (Debian's etcd-server) not installed; scripts/install-deps.sh test installs it")
	}
	dir := t.TempDir()
	client, peer := freePort(t), freePort(t)
	cmd := exec.Command(etcdBin,
		"--name", "ext", "--data-dir", dir,
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", client),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", client),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peer),
		"--initial-cluster", fmt.Sprintf("ext=http://127.0.0.1:%d", peer),
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	time.Sleep(500 * time.Millisecond)

	s := StartServer(t, "--etcd-endpoints", fmt.Sprintf("http://127.0.0.1:%d", client))
	cs := s.Clientset()
	ctx := context.Background()
	created, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "on-external-etcd"}, Data: map[string]string{"k": "v"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s.Start()
	got, err := s.Clientset().CoreV1().ConfigMaps("default").Get(ctx, "on-external-etcd", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != created.ResourceVersion || got.Data["k"] != "v" {
		t.Fatalf("object changed across restart: %v vs %v", got, created)
	}
}
