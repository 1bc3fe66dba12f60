package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-project/berth/internal/pki"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultKubeconfig is where contexts are merged without --kubeconfig: the
// first file of $KUBECONFIG, else ~/.kube/config (what kubectl writes to).
func DefaultKubeconfig() (string, error) {
	if list := filepath.SplitList(os.Getenv("KUBECONFIG")); len(list) > 0 && list[0] != "" {
		return list[0], nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for ~/.kube/config (pass --kubeconfig): %w", err)
	}
	return filepath.Join(home, ".kube", "config"), nil
}

// writeKubeconfigs writes the cluster's own kubeconfig (context
// berth-NAME, server apiURL) from the admin kubeconfig the server wrote, and
// merges it into mergeInto.
func writeKubeconfigs(adminKubeconfig, own, mergeInto, cluster, apiURL string) error {
	admin, err := clientcmd.LoadFromFile(adminKubeconfig)
	if err != nil {
		return err
	}
	ctx := admin.Contexts[admin.CurrentContext]
	if ctx == nil || admin.Clusters[ctx.Cluster] == nil || admin.AuthInfos[ctx.AuthInfo] == nil {
		return fmt.Errorf("%s has no usable current context", adminKubeconfig)
	}
	caPEM := admin.Clusters[ctx.Cluster].CertificateAuthorityData
	token := admin.AuthInfos[ctx.AuthInfo].Token
	if len(caPEM) == 0 || token == "" {
		return fmt.Errorf("%s lacks the CA or the token", adminKubeconfig)
	}
	if err := pki.WriteKubeconfig(own, apiURL, caPEM, token, ContextName(cluster)); err != nil {
		return err
	}
	return pki.MergeKubeconfig(mergeInto, own)
}

// removeContext drops the cluster, user and context called name from cfg;
// if it was the current context, there is no current context afterwards.
// It reports whether anything changed.
func removeContext(cfg *clientcmdapi.Config, name string) bool {
	changed := false
	if _, ok := cfg.Contexts[name]; ok {
		delete(cfg.Contexts, name)
		changed = true
	}
	if _, ok := cfg.Clusters[name]; ok {
		delete(cfg.Clusters, name)
		changed = true
	}
	if _, ok := cfg.AuthInfos[name]; ok {
		delete(cfg.AuthInfos, name)
		changed = true
	}
	if cfg.CurrentContext == name {
		cfg.CurrentContext = ""
		changed = true
	}
	return changed
}

// isEmptyConfig: nothing left worth keeping.
func isEmptyConfig(cfg *clientcmdapi.Config) bool {
	return len(cfg.Contexts) == 0 && len(cfg.Clusters) == 0 && len(cfg.AuthInfos) == 0 &&
		cfg.CurrentContext == "" && len(cfg.Extensions) == 0 && len(cfg.Preferences.Extensions) == 0
}

// RemoveKubeconfigContext removes the cluster's context (and its cluster
// and user) from the kubeconfig at path, under kubectl's lock file. A
// missing file is fine; a file left with nothing in it is removed.
func RemoveKubeconfigContext(path, cluster string) error {
	if path == "" {
		return nil
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	cfg, err := clientcmd.LoadFromFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if !removeContext(cfg, ContextName(cluster)) {
		return nil
	}
	if isEmptyConfig(cfg) {
		return os.Remove(path)
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

// lockFile creates lock exclusively — kubectl's convention around
// kubeconfig writes — waiting a few seconds for another writer.
func lockFile(lock string) (unlock func(), err error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(lock) }, nil
		}
		if !errors.Is(err, fs.ErrExist) || time.Now().After(deadline) {
			return nil, fmt.Errorf("locking %s: %w (remove it if no kubeconfig writer is running)", lock, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
