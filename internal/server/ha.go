package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/pki"
	"github.com/berth-project/berth/internal/store"
	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// HA control plane, k3s' way: the first server starts with --cluster-init
// (its embedded etcd's peer URL on its node address), each further server
// with --join https://first:6443 --token K10…: it pins the CA by the
// token, asks the first server (authenticated by the token) to add its etcd
// member, receives the cluster's CA, keys and tokens, and starts its etcd
// member in the existing cluster and its own API server on it. The
// controllers run on one server at a time (a Lease in kube-system).

// joinResponse is what a server hands a joining one.
type joinResponse struct {
	CACert         []byte `json:"caCert"`
	CAKey          []byte `json:"caKey"`
	SAKey          []byte `json:"saKey"`
	Token          string `json:"token"`
	AgentToken     string `json:"agentToken"`
	InitialCluster string `json:"initialCluster"`
}

// dataFiles are the files of a server's data directory that every server
// of the cluster shares.
func dataFiles(dataDir string) (caCert, caKey, saKey, token, agentToken string) {
	tls := filepath.Join(dataDir, "tls")
	return filepath.Join(tls, "ca.crt"), filepath.Join(tls, "ca.key"), filepath.Join(tls, "sa.key"),
		filepath.Join(dataDir, "token"), AgentTokenFile(dataDir)
}

// etcdMemberName names a server's etcd member after its address, which is
// unique in the cluster (host names need not be: netns share one).
func etcdMemberName(advertise net.IP) string {
	return "berth-" + strings.NewReplacer(".", "-", ":", "-").Replace(advertise.String())
}

// admitServer is the first server's side of a join.
func admitServer(dataDir, agentToken string, cli *clientv3.Client) func(context.Context, apiserver.ServerJoinRequest) (any, error) {
	return func(ctx context.Context, req apiserver.ServerJoinRequest) (any, error) {
		// etcd refuses (or stalls) a member change while the previous new
		// member is not up yet; bounded here, retried by the joiner
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		initial, err := store.AddMember(ctx, cli, req.Name, req.PeerURL)
		if err != nil {
			return nil, err
		}
		caCert, caKey, saKey, token, _ := dataFiles(dataDir)
		var r joinResponse
		for _, f := range []struct {
			path string
			dst  *[]byte
		}{{caCert, &r.CACert}, {caKey, &r.CAKey}, {saKey, &r.SAKey}} {
			if *f.dst, err = os.ReadFile(f.path); err != nil {
				return nil, err
			}
		}
		tok, err := os.ReadFile(token)
		if err != nil {
			return nil, err
		}
		r.Token, r.AgentToken, r.InitialCluster = strings.TrimSpace(string(tok)), agentToken, initial
		slog.Info("server joining the control plane", "member", req.Name, "peerURL", req.PeerURL)
		return r, nil
	}
}

// joinControlPlane is the joining server's side: unless its etcd member
// already has data (a restart after the join), it gets the cluster's
// credentials into dataDir and returns the initial cluster to start its
// member with.
func joinControlPlane(ctx context.Context, o Options, memberName, peerURL string) (string, error) {
	if _, err := os.Stat(filepath.Join(o.DataDir, "etcd", "member")); err == nil {
		return "", nil // already a member
	}
	caHash, secret, err := pki.ParseJoinToken(o.JoinToken)
	if err != nil {
		return "", fmt.Errorf("--token: %w", err)
	}
	if caHash == "" {
		return "", errors.New("--join needs a K10… token that pins the CA")
	}
	caPEM, err := pki.FetchPinnedCA(o.Join, caHash)
	if err != nil {
		return "", err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body, _ := json.Marshal(apiserver.ServerJoinRequest{Name: memberName, PeerURL: peerURL})
	var r joinResponse
	// another server joining at the same time makes etcd refuse a member
	// change until that one is up: try again for a while
	for attempt := 1; ; attempt++ {
		err := postJoin(ctx, hc, o.Join, secret, body, &r)
		if err == nil {
			break
		}
		if attempt == 10 || ctx.Err() != nil {
			return "", err
		}
		slog.Warn("joining the control plane; retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	caCert, caKey, saKey, token, agentToken := dataFiles(o.DataDir)
	if err := os.MkdirAll(filepath.Dir(caCert), 0o700); err != nil {
		return "", err
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{caCert, r.CACert, 0o644}, {caKey, r.CAKey, 0o600}, {saKey, r.SAKey, 0o600},
		{token, []byte(r.Token + "\n"), 0o600}, {agentToken, []byte(r.AgentToken + "\n"), 0o600}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return "", err
		}
	}
	slog.Info("joined the control plane", "via", o.Join, "initialCluster", r.InitialCluster)
	return r.InitialCluster, nil
}

// postJoin sends one join request.
func postJoin(ctx context.Context, hc *http.Client, first, secret string, body []byte, into *joinResponse) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(first, "/")+apiserver.ServerJoinPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("joining %s: %w", first, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("joining %s: %s: %s", first, resp.Status, bytes.TrimSpace(data))
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("joining %s: %w", first, err)
	}
	return nil
}

// runControllersLeading runs the controllers on the server that holds
// the berth-controllers Lease, and again whenever it wins it back.
func runControllersLeading(ctx context.Context, client kubernetes.Interface, identity string, run func(context.Context)) {
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Name: "berth-controllers", Namespace: metav1.NamespaceSystem},
		Client:     client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: identity},
	}
	for ctx.Err() == nil {
		le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
			Lock: lock, LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second,
			ReleaseOnCancel: true, Name: "berth-controllers",
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: func(ctx context.Context) {
					slog.Info("leading: running the controllers", "identity", identity)
					run(ctx)
				},
				OnStoppedLeading: func() { slog.Info("stopped leading the controllers", "identity", identity) },
			},
		})
		if err != nil {
			slog.Error("leader election", "err", err)
			return
		}
		le.Run(ctx)
	}
}
