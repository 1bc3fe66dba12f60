package store

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Embedded is a running single-member etcd inside the berth process.
type Embedded struct {
	etcd      *embed.Etcd
	Endpoints []string
}

// EmbeddedConfig says where the embedded etcd keeps its data and listens.
type EmbeddedConfig struct {
	DataDir    string // e.g. /var/lib/berth/server/etcd
	ClientAddr string // host:port for clients; default 127.0.0.1:2379
	PeerAddr   string // host:port for peers; default 127.0.0.1:2380
	Name       string
	// InitialCluster is "name=http://peer,…" of every member when joining
	// an existing cluster (ClusterState "existing"); empty: a new cluster
	// of this one member.
	InitialCluster string
	ClusterState   string // "new" (default) or "existing"
}

// StartEmbedded starts etcd and waits until it serves.
func StartEmbedded(ctx context.Context, c EmbeddedConfig) (*Embedded, error) {
	if c.ClientAddr == "" {
		c.ClientAddr = "127.0.0.1:2379"
	}
	if c.PeerAddr == "" {
		c.PeerAddr = "127.0.0.1:2380"
	}
	if c.Name == "" {
		c.Name = "berth"
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Name = c.Name
	cfg.Dir = c.DataDir
	cfg.WalDir = filepath.Join(c.DataDir, "wal")
	clientURL, err := url.Parse("http://" + c.ClientAddr)
	if err != nil {
		return nil, err
	}
	peerURL, err := url.Parse("http://" + c.PeerAddr)
	if err != nil {
		return nil, err
	}
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", c.Name, peerURL.String())
	if c.InitialCluster != "" {
		cfg.InitialCluster = c.InitialCluster
	}
	if c.ClusterState != "" {
		cfg.ClusterState = c.ClusterState
	}
	cfg.LogLevel = "error"
	cfg.Logger = "zap"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	// The API server compacts on its own schedule; keep etcd's quota generous.
	cfg.QuotaBackendBytes = 2 << 30
	cfg.AutoCompactionMode = "periodic"
	cfg.AutoCompactionRetention = "0" // off: the API server compacts
	start := time.Now()
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd: %w", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("embedded etcd: %w", err)
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("embedded etcd did not become ready within 60s")
	case <-ctx.Done():
		e.Close()
		return nil, ctx.Err()
	}
	slog.Info("embedded etcd ready", "dataDir", c.DataDir, "client", c.ClientAddr, "took", time.Since(start).Round(time.Millisecond))
	return &Embedded{etcd: e, Endpoints: []string{clientURL.String()}}, nil
}

// PeerURL is the peer URL of a member listening at host:port.
func PeerURL(addr string) string { return "http://" + addr }

// AddMember adds a member with peerURL to the cluster behind cli (or finds
// it, when a join is retried) and returns the initial-cluster string the
// new member must start with: every member's name=peerURL, the new one
// under name.
func AddMember(ctx context.Context, cli *clientv3.Client, name, peerURL string) (string, error) {
	// serializable: a retried join finds its member even while the cluster
	// waits for it to start (and lacks quorum for a linearizable read)
	list, err := cli.MemberList(ctx, clientv3.WithSerializable())
	if err != nil {
		return "", err
	}
	members := list.Members
	found := slices.ContainsFunc(members, func(m *etcdserverpb.Member) bool { return slices.Contains(m.PeerURLs, peerURL) })
	if !found {
		resp, err := cli.MemberAdd(ctx, []string{peerURL})
		if err != nil {
			return "", fmt.Errorf("adding etcd member %s: %w", peerURL, err)
		}
		members = resp.Members // the membership including the new member
	}
	var parts []string
	for i, m := range members {
		n := m.Name
		switch {
		case slices.Contains(m.PeerURLs, peerURL):
			n = name // not started yet: nameless
		case n == "":
			// another member added but not started: etcd matches the
			// initial cluster to the membership by peer URL, names aside
			n = fmt.Sprintf("unstarted-%d", i)
		}
		for _, u := range m.PeerURLs {
			parts = append(parts, n+"="+u)
		}
	}
	return strings.Join(parts, ","), nil
}

// Close stops the embedded etcd.
func (e *Embedded) Close() {
	e.etcd.Close()
}

// NewClient connects to the given etcd endpoints.
func NewClient(endpoints []string) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
}

// FreeLocalAddr returns a free 127.0.0.1 port, for tests and for running
// several servers on one machine.
func FreeLocalAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
