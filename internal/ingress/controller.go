package ingress

import (
	"context"
	"log/slog"
	"time"

	"github.com/berth-project/berth/internal/api/scheme"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
)

// ControllerOptions configure the server-side controller.
type ControllerOptions struct {
	// HTTPPort and HTTPSPort are the nodes' ingress proxy ports, published
	// as the berth-ingress Service's endpoints (0: left out).
	HTTPPort, HTTPSPort int
	Logger              *slog.Logger
}

// Controller keeps Ingress status, the berth-ingress Service's
// EndpointSlice and the events about missing references up to date.
type Controller struct {
	client   kubernetes.Interface
	o        ControllerOptions
	log      *slog.Logger
	recorder record.EventRecorder
	// reported are the problems already recorded as events, by Ingress
	// UID and message, so a problem is reported once, not on every sync.
	reported map[string]bool
}

// NewController makes the controller; Run starts it.
func NewController(client kubernetes.Interface, o ControllerOptions) *Controller {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	b := record.NewBroadcaster()
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	return &Controller{client: client, o: o, log: o.Logger.With("controller", "ingress"),
		recorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "berth-ingress-controller"}),
		reported: map[string]bool{}}
}

// Run syncs on every change of the watched objects (coalesced) and once a
// minute, until ctx ends.
func (c *Controller) Run(ctx context.Context, _ int) error {
	kick := make(chan struct{}, 1)
	changed := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	l := newListers(c.client, changed)
	nodes := l.factory.Core().V1().Nodes()
	_, _ = nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { changed() }, UpdateFunc: func(any, any) { changed() }, DeleteFunc: func(any) { changed() },
	})
	l.synced = append(l.synced, nodes.Informer().HasSynced)
	defer l.factory.Shutdown()
	if !l.start(ctx) {
		return ctx.Err()
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	certs := &certCache{}
	for {
		nodeList, _ := nodes.Lister().List(labels.Everything())
		in := l.inputs()
		in.ParseCertificate = certs.parse
		err := c.sync(ctx, in, nodeList)
		certs.endRound()
		if err != nil && ctx.Err() == nil {
			// Try again in a second (events meanwhile are merged into one).
			c.log.Warn("ingress sync", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			changed()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-kick:
		case <-tick.C:
		}
	}
}

func (c *Controller) sync(ctx context.Context, in Inputs, nodes []*corev1.Node) error {
	firstErr := c.syncServiceSlice(ctx, in.EndpointSlices, nodes)
	var svc *corev1.Service
	for _, s := range in.Services {
		if s.Namespace == ServiceNamespace && s.Name == ServiceName {
			svc = s
		}
	}
	addrs := PublishedAddresses(svc, nodes)
	for _, ing := range SortedIngresses(in.Ingresses, in.Classes) {
		if apiequality.Semantic.DeepEqual(ing.Status.LoadBalancer.Ingress, addrs) {
			continue
		}
		up := ing.DeepCopy()
		up.Status.LoadBalancer.Ingress = addrs
		if _, err := c.client.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, up, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) && firstErr == nil {
			firstErr = err
		}
	}
	_, problems := Build(in)
	c.report(in.Ingresses, problems)
	return firstErr
}

// report records a Warning event for each problem not reported before.
func (c *Controller) report(ings []*networkingv1.Ingress, problems []Problem) {
	byName := map[string]*networkingv1.Ingress{}
	for _, i := range ings {
		byName[i.Namespace+"/"+i.Name] = i
	}
	seen := map[string]bool{}
	for _, p := range problems {
		ing := byName[p.Namespace+"/"+p.Ingress]
		if ing == nil {
			continue
		}
		key := string(ing.UID) + "\x00" + p.Message
		seen[key] = true
		if !c.reported[key] {
			c.recorder.Event(ing, corev1.EventTypeWarning, p.Reason, p.Message)
		}
	}
	// A problem that went away may be reported again if it comes back.
	c.reported = seen
}

// syncServiceSlice writes the berth-ingress Service's EndpointSlice when
// it differs from the desired one.
func (c *Controller) syncServiceSlice(ctx context.Context, slices []*discoveryv1.EndpointSlice, nodes []*corev1.Node) error {
	want := DesiredServiceSlice(nodes, c.o.HTTPPort, c.o.HTTPSPort)
	api := c.client.DiscoveryV1().EndpointSlices(ServiceNamespace)
	for _, s := range slices {
		if s.Namespace != ServiceNamespace || s.Name != want.Name {
			continue
		}
		if apiequality.Semantic.DeepEqual(s.Endpoints, want.Endpoints) && apiequality.Semantic.DeepEqual(s.Ports, want.Ports) &&
			apiequality.Semantic.DeepEqual(s.Labels, want.Labels) {
			return nil
		}
		want.ResourceVersion = s.ResourceVersion
		_, err := api.Update(ctx, want, metav1.UpdateOptions{})
		return err
	}
	_, err := api.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
