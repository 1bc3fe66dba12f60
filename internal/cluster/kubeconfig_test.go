package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-project/berth/internal/pki"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestRemoveContext(t *testing.T) {
	mk := func(current string, names ...string) *clientcmdapi.Config {
		c := clientcmdapi.NewConfig()
		for _, n := range names {
			c.Clusters[n] = &clientcmdapi.Cluster{Server: "https://" + n}
			c.AuthInfos[n] = &clientcmdapi.AuthInfo{Token: n}
			c.Contexts[n] = &clientcmdapi.Context{Cluster: n, AuthInfo: n}
		}
		c.CurrentContext = current
		return c
	}
	for _, tc := range []struct {
		name        string
		cfg         *clientcmdapi.Config
		changed     bool
		current     string
		left, empty bool
	}{
		{"current one", mk("berth-t1", "berth-t1", "other"), true, "", true, false},
		{"not current", mk("other", "berth-t1", "other"), true, "other", true, false},
		{"only one", mk("berth-t1", "berth-t1"), true, "", false, true},
		{"absent", mk("other", "other"), false, "other", true, false},
		{"prefix is not a match", mk("berth-t10", "berth-t10"), false, "berth-t10", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := removeContext(tc.cfg, "berth-t1"); got != tc.changed {
				t.Fatalf("changed = %v", got)
			}
			if tc.cfg.CurrentContext != tc.current {
				t.Fatalf("current = %q", tc.cfg.CurrentContext)
			}
			if _, ok := tc.cfg.Contexts["berth-t1"]; ok {
				t.Fatal("context left")
			}
			if _, ok := tc.cfg.Clusters["berth-t1"]; ok {
				t.Fatal("cluster left")
			}
			if (len(tc.cfg.Contexts) > 0) != tc.left || isEmptyConfig(tc.cfg) != tc.empty {
				t.Fatalf("left: %v", tc.cfg.Contexts)
			}
		})
	}
}

func TestKubeconfigMergeAndRemove(t *testing.T) {
	dir := t.TempDir()
	admin := filepath.Join(dir, "admin.kubeconfig")
	if err := pki.WriteKubeconfig(admin, "https://172.28.0.10:6443", []byte("CA"), "tok", "berth"); err != nil {
		t.Fatal(err)
	}
	user := filepath.Join(dir, "kube", "config")
	if err := pki.WriteKubeconfig(user, "https://other", []byte("CA2"), "tok2", "mine"); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, "own")
	if err := writeKubeconfigs(admin, own, user, "t1", "https://172.28.0.10:6443"); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(user)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "berth-t1" || cfg.Clusters["berth-t1"].Server != "https://172.28.0.10:6443" ||
		cfg.AuthInfos["berth-t1"].Token != "tok" || cfg.Contexts["mine"] == nil {
		t.Fatalf("merged: %+v", cfg)
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := RemoveKubeconfigContext(user, "t1"); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ = clientcmd.LoadFromFile(user)
	if cfg.Contexts["berth-t1"] != nil || cfg.Contexts["mine"] == nil || cfg.CurrentContext != "" {
		t.Fatalf("after remove: %+v", cfg)
	}
	// a file holding only our context goes away
	if err := RemoveKubeconfigContext(own, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(own); !os.IsNotExist(err) {
		t.Fatalf("own kubeconfig still there: %v", err)
	}
	if err := RemoveKubeconfigContext(filepath.Join(dir, "missing"), "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(user + ".lock"); !os.IsNotExist(err) {
		t.Fatal("lock file left")
	}
}

func TestDefaultKubeconfig(t *testing.T) {
	t.Setenv("KUBECONFIG", "/a/b"+string(filepath.ListSeparator)+"/c")
	if got, _ := DefaultKubeconfig(); got != "/a/b" {
		t.Fatalf("got %s", got)
	}
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", "/home/x")
	if got, _ := DefaultKubeconfig(); got != "/home/x/.kube/config" {
		t.Fatalf("got %s", got)
	}
}
