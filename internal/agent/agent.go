package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/berth-project/berth/internal/api/scheme"
	"github.com/berth-project/berth/internal/network"
	"github.com/berth-project/berth/internal/runtime/image"
	"github.com/berth-project/berth/internal/runtime/runc"
	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
)

// Agent runs the pods of one node.
type Agent struct {
	cfg            Config
	log            *slog.Logger
	client         kubernetes.Interface
	host           hostInfo
	kubeletVersion string
	images         *image.Store
	runc           *runc.Runtime
	netCfg         network.NodeConfig
	recorder       record.EventRecorder
	factory        informers.SharedInformerFactory
	storage        *storage
	objects        *objects

	mu      sync.Mutex
	workers map[types.UID]*podWorker
}

// New prepares an agent; Run starts it.
func New(cfg Config, kubeletVersion string) (*Agent, error) {
	cfg = cfg.withDefaults()
	if _, err := network.ParseMode(cfg.PodNetwork); err != nil {
		return nil, err
	}
	if err := cfg.validateProxy(); err != nil {
		return nil, err
	}
	if cfg.NodeName == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, err
		}
		cfg.NodeName = h
	}
	for _, d := range []string{cfg.RootDir, cfg.RunDir, cfg.podsDir(), cfg.logsDir(), cfg.ipcDir(), cfg.netnsDir(), cfg.ipamDir(), cfg.storageDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	host := observeHost(cfg.RootDir)
	var err error
	if host.localStorage, err = localStorageCapacity(cfg.StorageCapacity, cfg.storageDir()); err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cfg.Rest)
	if err != nil {
		return nil, err
	}
	log := slog.Default().With("node", cfg.NodeName)
	store, err := image.New(cfg.imagesDir(), image.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	rt, err := runc.New(runc.Options{Binary: cfg.RuncBinary, Root: cfg.runcRoot(), StateDir: cfg.containerDir(), Logger: log})
	if err != nil {
		return nil, err
	}
	mgr, err := volume.NewManager(volume.Layout{RootDir: cfg.RootDir, RunDir: cfg.RunDir}, log)
	if err != nil {
		return nil, err
	}
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: cfg.NodeName})
	a := &Agent{
		cfg: cfg, log: log, client: client, host: host, kubeletVersion: kubeletVersion,
		images: store, runc: rt, recorder: recorder, workers: map[types.UID]*podWorker{},
	}
	a.storage = newStorage(a, mgr)
	return a, nil
}

// Run registers the node and runs its pods until ctx ends. Containers keep
// running when the agent stops; the next agent adopts them.
func (a *Agent) Run(ctx context.Context) error {
	start := time.Now()
	node, err := a.registerWithRetry(ctx)
	if err != nil {
		return err
	}
	go a.leaseLoop(ctx, node)
	go a.nodeStatusLoop(ctx, a.client)

	podCIDR, err := a.waitPodCIDR(ctx)
	if err != nil {
		return err
	}
	a.netCfg = network.NodeConfig{PodCIDR: podCIDR, NetNSDir: a.cfg.netnsDir(), IPAMDir: a.cfg.ipamDir()}
	overlay, overlayErr := a.overlayConfig(podCIDR)
	if overlayErr == nil {
		// the overlay decides the pods' MTU (VXLAN takes 50 bytes)
		if a.netCfg.MTU, overlayErr = network.EnsureOverlay(overlay); overlayErr != nil {
			return fmt.Errorf("pod network: %w", overlayErr)
		}
	} else {
		a.log.Warn("pod network: no cross-node overlay", "err", overlayErr)
	}
	if err := network.EnsureNode(a.netCfg); err != nil {
		return fmt.Errorf("pod network: %w", err)
	}
	if overlayErr == nil {
		go a.runOverlay(ctx, overlay)
	}
	if err := a.runc.Reattach(ctx); err != nil {
		a.log.Warn("reattaching containers", "err", err)
	}
	if err := a.startStreaming(ctx); err != nil {
		return err
	}
	if err := a.runServiceProxy(ctx, podCIDR); err != nil {
		a.log.Warn("service proxy not running on this node", "err", err)
	}
	if err := a.serveClusterDNS(ctx); err != nil {
		a.log.Warn("cluster DNS not served on this node", "err", err)
	}
	if err := a.runIngressProxy(ctx); err != nil {
		a.log.Warn("ingress proxy not running on this node", "err", err)
	}
	a.runLBAnnouncer(ctx)

	if err := a.storage.start(ctx); err != nil {
		return fmt.Errorf("persistent volumes: %w", err)
	}
	if err := a.startObjects(ctx); err != nil {
		return fmt.Errorf("configmaps and secrets: %w", err)
	}
	a.factory = informers.NewSharedInformerFactoryWithOptions(a.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", a.cfg.NodeName).String()
		}))
	podInformer := a.factory.Core().V1().Pods().Informer()
	_, _ = podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { a.podChanged(ctx, obj) },
		UpdateFunc: func(_, obj interface{}) { a.podChanged(ctx, obj) },
		DeleteFunc: func(obj interface{}) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				a.podDeleted(ctx, pod)
			}
		},
	})
	a.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.HasSynced) {
		return ctx.Err()
	}
	go a.housekeeping(ctx, podInformer.GetStore())
	a.log.Info("node agent ready", "podCIDR", podCIDR.String(), "took", time.Since(start).Round(time.Millisecond))
	<-ctx.Done()
	a.factory.Shutdown()
	return nil
}

func (a *Agent) registerWithRetry(ctx context.Context) (*corev1.Node, error) {
	for {
		node, err := a.registerNode(ctx)
		if err == nil {
			return node, nil
		}
		a.log.Info("registering node", "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// waitPodCIDR waits for the control plane to give the node its podCIDR.
func (a *Agent) waitPodCIDR(ctx context.Context) (*net.IPNet, error) {
	for {
		node, err := a.client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
		if err == nil && node.Spec.PodCIDR != "" {
			_, cidr, err := net.ParseCIDR(node.Spec.PodCIDR)
			if err != nil {
				return nil, fmt.Errorf("node podCIDR %q: %w", node.Spec.PodCIDR, err)
			}
			return cidr, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// podChanged routes a pod event to that pod's worker, starting one if needed.
func (a *Agent) podChanged(ctx context.Context, obj interface{}) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	a.mu.Lock()
	w, ok := a.workers[pod.UID]
	if !ok {
		w = newPodWorker(a, pod)
		a.workers[pod.UID] = w
		go w.run(ctx)
	}
	a.mu.Unlock()
	w.update(pod)
}

// podDeleted tells the pod's worker that the API object is gone, so it
// stops and removes everything at once.
func (a *Agent) podDeleted(ctx context.Context, pod *corev1.Pod) {
	a.mu.Lock()
	w, ok := a.workers[pod.UID]
	if !ok {
		w = newPodWorker(a, pod)
		a.workers[pod.UID] = w
		go w.run(ctx)
	}
	a.mu.Unlock()
	w.markGone()
}

func (a *Agent) forgetWorker(uid types.UID) {
	a.mu.Lock()
	delete(a.workers, uid)
	a.mu.Unlock()
}

// housekeeping removes what belongs to no pod any more: containers,
// sandboxes and IPs of pods that were deleted while the agent was down.
func (a *Agent) housekeeping(ctx context.Context, pods cache.Store) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		live := map[string]bool{}
		for _, obj := range pods.List() {
			live[string(obj.(*corev1.Pod).UID)] = true
		}
		a.mu.Lock()
		for uid := range a.workers {
			live[string(uid)] = true
		}
		a.mu.Unlock()
		a.removeOrphans(ctx, live)
	}
}
