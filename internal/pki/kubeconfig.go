package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WriteKubeconfig writes a kubeconfig (mode 0600) with one cluster, one user
// and one context, all named contextName, and makes that context current:
// the API server at server, trusted through caPEM, authenticated by a bearer
// token.
func WriteKubeconfig(path, server string, caPEM []byte, token, contextName string) error {
	if contextName == "" {
		return errors.New("kubeconfig context name must not be empty")
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[contextName] = &clientcmdapi.Cluster{
		Server:                   server,
		CertificateAuthorityData: caPEM,
	}
	cfg.AuthInfos[contextName] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[contextName] = &clientcmdapi.Context{
		Cluster:  contextName,
		AuthInfo: contextName,
	}
	cfg.CurrentContext = contextName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return err
	}
	// WriteToFile keeps the mode of an existing file; a token needs 0600.
	return os.Chmod(path, 0o600)
}

// MergeKubeconfig copies the clusters, users and contexts of the kubeconfig
// from into the kubeconfig into (created if missing), replacing entries of
// the same name and leaving all others alone, and makes from's current
// context the current one — as kind and k3d do when they add a cluster to
// ~/.kube/config. It takes kubectl's lock file (into + ".lock") so a
// concurrent `kubectl config` write is not lost, and replaces the file
// atomically (following a symlink to its target).
func MergeKubeconfig(into, from string) error {
	src, err := clientcmd.LoadFromFile(from)
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	target, err := resolveSymlink(into)
	if err != nil {
		return err
	}
	unlock, err := lockKubeconfig(target)
	if err != nil {
		return err
	}
	defer unlock()

	dst := clientcmdapi.NewConfig()
	if ok, err := exists(target); err != nil {
		return err
	} else if ok {
		if dst, err = clientcmd.LoadFromFile(target); err != nil {
			return fmt.Errorf("reading %s: %w", into, err)
		}
	}
	mergeConfig(dst, src)
	data, err := clientcmd.Write(*dst)
	if err != nil {
		return err
	}
	return writeFileAtomic(target, data, 0o600)
}

// mergeConfig copies src's clusters, users and contexts into dst, replacing
// same-named ones, and takes over src's current context if it has one.
func mergeConfig(dst, src *clientcmdapi.Config) {
	for name, c := range src.Clusters {
		dst.Clusters[name] = c
	}
	for name, a := range src.AuthInfos {
		dst.AuthInfos[name] = a
	}
	for name, c := range src.Contexts {
		dst.Contexts[name] = c
	}
	if src.CurrentContext != "" {
		dst.CurrentContext = src.CurrentContext
	}
}

// resolveSymlink returns the file path points to, or path itself if it is
// not a symlink or does not exist yet.
func resolveSymlink(path string) (string, error) {
	p, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	return p, err
}

// lockKubeconfig creates path+".lock" exclusively, the convention client-go
// (and so kubectl) uses around kubeconfig writes, waiting a few seconds for
// another writer to finish.
func lockKubeconfig(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	lock := path + ".lock"
	deadline := time.Now().Add(5 * time.Second)
	for {
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(lock) }, nil
		}
		if !errors.Is(err, fs.ErrExist) || time.Now().After(deadline) {
			return nil, fmt.Errorf("locking %s: %w (remove %s if no other kubeconfig writer is running)", path, err, lock)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
