package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Source lists the objects the proxy serves (informer caches in Controller,
// plain slices in tests).
type Source interface {
	Services() []*corev1.Service
	EndpointSlices() []*discoveryv1.EndpointSlice
}

// retryInterval is how soon a failed sync is tried again.
const retryInterval = 5 * time.Second

// Proxier keeps the kernel's table equal to Desired(source). Each sync is one
// nftables transaction: the first rebuilds the table, later ones change only
// what differs from the last applied Ruleset. After a failed sync the next
// one is a full rebuild again, since the kernel state is then unknown.
type Proxier struct {
	node    NodeInfo
	opts    Options
	source  Source
	backend backend
	metrics *metrics
	log     *slog.Logger
	trigger chan struct{}
	health  *healthServer

	mu      sync.Mutex // serialises syncs; guards the fields below
	applied *Ruleset   // last Ruleset in the kernel; nil = rebuild next
	lastUDP udpState   // kept across failures, for conntrack clean-up
}

// NewProxier makes a Proxier that programs the namespace opts.NetNSPath.
func NewProxier(node NodeInfo, opts Options, source Source) (*Proxier, error) {
	opts = opts.withDefaults()
	return newProxier(node, opts, source, newBackend(opts))
}

// newBackend is the dataplane of opts.Mode.
func newBackend(opts Options) backend {
	if opts.Mode == ModeIPTables {
		return &iptablesBackend{cmd: iptablesCmd{bin: opts.IPTables, nsPath: opts.NetNSPath}}
	}
	return &nftBackend{nsPath: opts.NetNSPath}
}

func newProxier(node NodeInfo, opts Options, source Source, b backend) (*Proxier, error) {
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, err
	}
	return &Proxier{
		node: node, opts: opts, source: source, backend: b, metrics: m,
		log:     opts.Logger.With("component", "proxy"),
		trigger: make(chan struct{}, 1),
		health:  newHealthServer(opts.NetNSPath, opts.Logger.With("component", "proxy")),
	}, nil
}

// Sync asks for a sync soon; calls closer than MinSyncInterval are merged.
// It never blocks. Run does the work.
func (p *Proxier) Sync() {
	select {
	case p.trigger <- struct{}{}:
	default:
	}
}

// Run syncs whenever Sync was called, at most once per MinSyncInterval,
// until ctx ends. A failed sync is retried. The rules stay in the kernel
// when Run returns: traffic keeps flowing while the agent restarts.
func (p *Proxier) Run(ctx context.Context) {
	defer p.Close()
	var last time.Time
	retry := time.NewTimer(0)
	if !retry.Stop() {
		<-retry.C
	}
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.trigger:
		case <-retry.C:
		}
		if wait := p.opts.MinSyncInterval - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		select { // merge requests that came while waiting
		case <-p.trigger:
		default:
		}
		last = time.Now()
		if err := p.SyncNow(); err != nil {
			p.log.Error("sync failed; will retry", "err", err, "retry", retryInterval)
			retry.Reset(retryInterval)
		}
	}
}

// SyncNow computes the desired rules and applies them at once.
func (p *Proxier) SyncNow() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	services, slices := p.source.Services(), p.source.EndpointSlices()
	desired := p.desired(services, slices)
	mode := "incremental"
	if p.applied == nil {
		mode = "full"
	}
	st, err := p.backend.Apply(p.applied, desired)
	if err != nil {
		p.applied = nil
		p.metrics.syncs.WithLabelValues("error").Inc()
		return fmt.Errorf("proxy: %s sync: %w", mode, err)
	}
	p.applied = desired
	if st.Full {
		mode = "full" // the iptables mode always is
	}
	elapsed := time.Since(start)
	p.metrics.syncDuration.WithLabelValues(mode).Observe(elapsed.Seconds())
	p.metrics.syncs.WithLabelValues("success").Inc()
	p.metrics.lastSync.SetToCurrentTime()
	p.metrics.observe(desired)
	p.log.Debug("synced", "mode", mode, "duration", elapsed, "chainsWritten", st.ChainsWritten,
		"chainsDeleted", st.ChainsDeleted, "elements", st.Elements, "rules", desired.NumRules())

	p.flushConntrack(desired)
	p.health.sync(HealthChecks(services, slices, p.node))
	return nil
}

// desired is the Ruleset of the proxier's mode.
func (p *Proxier) desired(services []*corev1.Service, slices []*discoveryv1.EndpointSlice) *Ruleset {
	if p.opts.Mode == ModeIPTables {
		return DesiredIPTables(services, slices, p.node, p.opts)
	}
	return Desired(services, slices, p.node, p.opts)
}

// Close stops the health-check NodePort listeners (Run does it on return).
// The rules stay in the kernel.
func (p *Proxier) Close() { p.health.close() }

// flushConntrack deletes UDP flows that went stale with this sync. A
// failure is logged, not retried: the rules are right, and the entries
// expire on their own.
func (p *Proxier) flushConntrack(desired *Ruleset) {
	stale := staleFlows{}
	if p.lastUDP != nil {
		stale = staleUDP(p.lastUDP, desired.udp)
	}
	p.lastUDP = desired.udp
	if stale.empty() {
		return
	}
	n, err := p.backend.FlushConntrack(stale)
	p.metrics.conntrack.Add(float64(n))
	if err != nil {
		p.log.Warn("flushing stale UDP conntrack entries", "err", err)
		return
	}
	p.log.Debug("flushed stale UDP conntrack entries", "deleted", n, "endpoints", len(stale.Endpoints))
}

// Applied returns the Ruleset of the last successful sync, or nil.
func (p *Proxier) Applied() *Ruleset {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.applied
}

// Cleanup deletes the proxy's table (berth agent --cleanup); the next sync
// rebuilds it.
func (p *Proxier) Cleanup() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applied = nil
	return p.backend.Cleanup(TableName)
}

// Cleanup removes everything the proxy owns from the namespace
// opts.NetNSPath, whichever mode made it (berth agent --cleanup): the
// nftables table and the iptables mode's BERTH-* chains with the jumps to
// them. What is already gone is fine, so a second run succeeds too.
func Cleanup(opts Options) error {
	opts = opts.withDefaults()
	return errors.Join(
		(&nftBackend{nsPath: opts.NetNSPath}).Cleanup(TableName),
		cleanupIPTables(iptablesCmd{bin: opts.IPTables, nsPath: opts.NetNSPath}))
}
