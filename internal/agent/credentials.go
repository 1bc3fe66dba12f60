package agent

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/pki"
	"k8s.io/client-go/rest"
)

// Node credentials: an agent that joins with the cluster's join token uses
// it once, to get a client certificate for its node identity
// (system:node:<name>, group system:nodes); from then on it talks to the
// API with that certificate only, and the node authorizer lets it act on
// its own Node, Lease and pods and read what it needs — no more.

// CredentialsDir is where an agent keeps its node certificate and key.
func CredentialsDir(rootDir string) string { return filepath.Join(rootDir, "pki") }

// NodeCredentials returns rc with the join token replaced by the node's
// client certificate: the one kept in dir if it is still good for node
// under the CA rc trusts, else a new one the server signs.
func NodeCredentials(ctx context.Context, rc *rest.Config, dir, node string) (*rest.Config, error) {
	caPEM := rc.TLSClientConfig.CAData
	if len(caPEM) == 0 && rc.TLSClientConfig.CAFile != "" {
		b, err := os.ReadFile(rc.TLSClientConfig.CAFile)
		if err != nil {
			return nil, err
		}
		caPEM = b
	}
	certFile, keyFile := filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.key")
	certPEM, err1 := os.ReadFile(certFile)
	keyPEM, err2 := os.ReadFile(keyFile)
	if err1 != nil || err2 != nil || !pki.NodeCertUsable(certPEM, keyPEM, caPEM, node, time.Now()) {
		var err error
		if certPEM, keyPEM, err = requestNodeCert(ctx, rc, node); err != nil {
			return nil, fmt.Errorf("node credentials: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
			return nil, err
		}
	}
	out := rest.CopyConfig(rc)
	out.BearerToken, out.BearerTokenFile = "", ""
	out.TLSClientConfig.CertData, out.TLSClientConfig.KeyData = certPEM, keyPEM
	return out, nil
}

// requestNodeCert sends a fresh certificate request to the server with the
// join token.
func requestNodeCert(ctx context.Context, rc *rest.Config, node string) (certPEM, keyPEM []byte, err error) {
	csrPEM, keyPEM, err := pki.NodeCSR(node)
	if err != nil {
		return nil, nil, err
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return nil, nil, err
	}
	u := rc.Host + apiserver.NodeCertificatePath + "?node=" + url.QueryEscape(node)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(csrPEM))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-pem-file")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return body, keyPEM, nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
