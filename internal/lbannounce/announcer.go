package lbannounce

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// LeaseNamespace holds the per-address Leases.
const LeaseNamespace = "kube-system"

// Timing of the per-address Leases. A holder that could not renew for
// RenewDeadline stops answering; only after LeaseDuration without renewal
// may another node take over, so two nodes never answer at once. A new
// holder is found within RetryPeriod of the Lease running out.
const (
	LeaseDuration = 4 * time.Second
	RenewDeadline = 3 * time.Second
	RetryPeriod   = 500 * time.Millisecond
)

// LeaseName is the Lease that decides who announces ip.
func LeaseName(ip netip.Addr) string {
	return "berth-lb-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String())
}

// Announcer campaigns for and announces this node's LoadBalancer addresses.
type Announcer struct {
	client   kubernetes.Interface
	node     string
	log      *slog.Logger
	factory  informers.SharedInformerFactory
	nodeInf  informers.SharedInformerFactory
	services corelisters.ServiceLister
	slices   discoverylisters.EndpointSliceLister
	nodes    corelisters.NodeLister
	synced   []cache.InformerSynced
	resp     *responder
	kick     chan struct{}
	// Interfaces lists the node's interfaces and subnets; replaceable in
	// tests.
	Interfaces func() ([]Iface, error)

	mu        sync.Mutex
	campaigns map[netip.Addr]*campaign
	announced prometheus.Gauge
	takeovers prometheus.Counter
}

type campaign struct {
	c      Candidacy
	cancel context.CancelFunc
	done   chan struct{}
}

// New builds an Announcer for node. reg may be nil.
func New(client kubernetes.Interface, node string, reg prometheus.Registerer, log *slog.Logger) *Announcer {
	if log == nil {
		log = slog.Default()
	}
	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	nodeInf := informers.NewSharedInformerFactoryWithOptions(client, 10*time.Minute,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", node).String()
		}))
	a := &Announcer{
		client: client, node: node, log: log.With("component", "lb-announcer"),
		factory: factory, nodeInf: nodeInf,
		services:   factory.Core().V1().Services().Lister(),
		slices:     factory.Discovery().V1().EndpointSlices().Lister(),
		nodes:      nodeInf.Core().V1().Nodes().Lister(),
		kick:       make(chan struct{}, 1),
		Interfaces: HostInterfaces,
		campaigns:  map[netip.Addr]*campaign{},
		announced: prometheus.NewGauge(prometheus.GaugeOpts{Name: "berth_lb_announced_addresses",
			Help: "LoadBalancer addresses this node answers ARP for."}),
		takeovers: prometheus.NewCounter(prometheus.CounterOpts{Name: "berth_lb_takeovers_total",
			Help: "Times this node took over announcing a LoadBalancer address."}),
	}
	a.resp = newResponder(a.log)
	if reg != nil {
		reg.MustRegister(a.announced, a.takeovers)
	}
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { a.poke() },
		UpdateFunc: func(any, any) { a.poke() },
		DeleteFunc: func(any) { a.poke() },
	}
	for _, inf := range []cache.SharedIndexInformer{
		factory.Core().V1().Services().Informer(),
		factory.Discovery().V1().EndpointSlices().Informer(),
		nodeInf.Core().V1().Nodes().Informer(),
	} {
		reg, _ := inf.AddEventHandler(h)
		a.synced = append(a.synced, reg.HasSynced)
	}
	return a
}

func (a *Announcer) poke() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Run campaigns until ctx is done, then gives up every Lease it holds (so
// another node takes over at once) and stops answering.
func (a *Announcer) Run(ctx context.Context) error {
	a.factory.Start(ctx.Done())
	a.nodeInf.Start(ctx.Done())
	defer a.factory.Shutdown()
	defer a.nodeInf.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), a.synced...) {
		return ctx.Err()
	}
	defer a.stopAll()
	// Interfaces change without any API event; look again now and then.
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		a.reconcile(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-a.kick:
		case <-tick.C:
		}
	}
}

func (a *Announcer) reconcile(ctx context.Context) {
	svcs, _ := a.services.List(labels.Everything())
	slices, _ := a.slices.List(labels.Everything())
	node, _ := a.nodes.Get(a.node)
	ifaces, err := a.Interfaces()
	if err != nil {
		a.log.Warn("listing interfaces", "err", err)
		return
	}
	want := map[netip.Addr]Candidacy{}
	for _, c := range Desired(svcs, slices, node, ifaces) {
		want[c.IP] = c
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for ip, cp := range a.campaigns {
		if w, ok := want[ip]; !ok || w != cp.c {
			cp.cancel()
			<-cp.done
			delete(a.campaigns, ip)
		}
	}
	for ip, c := range want {
		if _, ok := a.campaigns[ip]; !ok {
			a.campaigns[ip] = a.campaign(ctx, c)
		}
	}
}

func (a *Announcer) stopAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for ip, cp := range a.campaigns {
		cp.cancel()
		<-cp.done
		delete(a.campaigns, ip)
	}
	a.resp.Close()
}

// campaign runs leader election for one address until cancelled.
func (a *Announcer) campaign(parent context.Context, c Candidacy) *campaign {
	ctx, cancel := context.WithCancel(parent)
	cp := &campaign{c: c, cancel: cancel, done: make(chan struct{})}
	log := a.log.With("ip", c.IP, "service", c.Service)
	go func() {
		defer close(cp.done)
		for ctx.Err() == nil {
			le, err := leaderelection.NewLeaderElector(a.electionConfig(c, log))
			if err != nil {
				log.Error("leader election", "err", err)
				return
			}
			le.Run(ctx) // returns when leadership is lost or ctx ends
			select {
			case <-ctx.Done():
			case <-time.After(RetryPeriod):
			}
		}
	}()
	return cp
}

func (a *Announcer) electionConfig(c Candidacy, log *slog.Logger) leaderelection.LeaderElectionConfig {
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: LeaseNamespace, Name: LeaseName(c.IP)},
		Client:     a.client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: a.node},
	}
	return leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   LeaseDuration,
		RenewDeadline:   RenewDeadline,
		RetryPeriod:     RetryPeriod,
		ReleaseOnCancel: true,
		Name:            LeaseName(c.IP),
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				if err := a.resp.Announce(c.Iface, c.IP); err != nil {
					log.Error("cannot announce", "err", err)
					return
				}
				a.takeovers.Inc()
				a.count()
				log.Info("announcing LoadBalancer address", "iface", c.Iface)
			},
			OnStoppedLeading: func() {
				if a.resp.Announced(c.IP) {
					a.resp.Withdraw(c.Iface, c.IP)
					a.count()
					log.Info("stopped announcing LoadBalancer address")
				}
			},
		},
	}
}

func (a *Announcer) count() { a.announced.Set(float64(a.resp.Count())) }

// HostInterfaces lists the up, non-loopback interfaces of the current
// network namespace with their subnets.
func HostInterfaces() ([]Iface, error) {
	ifis, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []Iface
	var errs []error
	for _, ifi := range ifis {
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) != 6 {
			continue
		}
		addrs, err := ifi.Addrs()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ifc := Iface{Name: ifi.Name}
		for _, ad := range addrs {
			if p, err := netip.ParsePrefix(ad.String()); err == nil {
				ifc.Prefixes = append(ifc.Prefixes, p)
			}
		}
		out = append(out, ifc)
	}
	return out, errors.Join(errs...)
}
