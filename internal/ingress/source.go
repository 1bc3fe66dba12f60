package ingress

import (
	"context"
	"crypto/tls"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// listers are the informer caches a Table is built from; the proxy and the
// controller share this shape.
type listers struct {
	factory informers.SharedInformerFactory
	synced  []cache.InformerSynced
}

// newListers starts informers on Ingresses, IngressClasses, Services,
// EndpointSlices and Secrets; changed is called (without arguments, it
// should only signal) on every event.
func newListers(client kubernetes.Interface, changed func()) *listers {
	f := informers.NewSharedInformerFactory(client, 0)
	l := &listers{factory: f}
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { changed() },
		UpdateFunc: func(any, any) { changed() },
		DeleteFunc: func(any) { changed() },
	}
	for _, inf := range []cache.SharedIndexInformer{
		f.Networking().V1().Ingresses().Informer(),
		f.Networking().V1().IngressClasses().Informer(),
		f.Core().V1().Services().Informer(),
		f.Discovery().V1().EndpointSlices().Informer(),
		f.Core().V1().Secrets().Informer(),
	} {
		_, _ = inf.AddEventHandler(h)
		l.synced = append(l.synced, inf.HasSynced)
	}
	return l
}

func (l *listers) start(ctx context.Context) bool {
	l.factory.Start(ctx.Done())
	return cache.WaitForCacheSync(ctx.Done(), l.synced...)
}

// inputs reads the caches. kubernetes.io/tls Secrets only: others are of
// no use to the proxy.
func (l *listers) inputs() Inputs {
	var in Inputs
	in.Ingresses, _ = l.factory.Networking().V1().Ingresses().Lister().List(labels.Everything())
	in.Classes, _ = l.factory.Networking().V1().IngressClasses().Lister().List(labels.Everything())
	in.Services, _ = l.factory.Core().V1().Services().Lister().List(labels.Everything())
	in.EndpointSlices, _ = l.factory.Discovery().V1().EndpointSlices().Lister().List(labels.Everything())
	secrets, _ := l.factory.Core().V1().Secrets().Lister().List(labels.Everything())
	for _, s := range secrets {
		if s.Type == corev1.SecretTypeTLS {
			in.Secrets = append(in.Secrets, s)
		}
	}
	return in
}

// Run keeps the proxy's table up to date from the API until ctx ends:
// events are coalesced, and every rebuild swaps in a whole new Table.
func (p *Proxy) Run(ctx context.Context, client kubernetes.Interface) error {
	kick := make(chan struct{}, 1)
	l := newListers(client, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	defer l.factory.Shutdown()
	if !l.start(ctx) {
		return ctx.Err()
	}
	certs := &certCache{}
	for {
		start := time.Now()
		in := l.inputs()
		in.ParseCertificate = certs.parse
		t, _ := Build(in)
		certs.endRound()
		p.SetTable(t)
		p.log.Debug("ingress table rebuilt", "took", time.Since(start))
		select {
		case <-ctx.Done():
			return nil
		case <-kick:
		}
	}
}

// certCache keeps parsed certificates between rebuilds, keyed by Secret
// UID and resourceVersion: rebuilds happen on every endpoint change, and
// parsing private keys on each would cost more than the rest of Build.
// Entries not used in a round are dropped at its end.
type certCache struct {
	last, cur map[string]cachedCert
}

type cachedCert struct {
	cert *tls.Certificate
	err  error
}

func (c *certCache) parse(sec *corev1.Secret) (*tls.Certificate, error) {
	if c.cur == nil {
		c.cur = map[string]cachedCert{}
	}
	key := string(sec.UID) + "@" + sec.ResourceVersion
	e, ok := c.cur[key]
	if !ok {
		if e, ok = c.last[key]; !ok {
			e.cert, e.err = ParseSecretCertificate(sec)
		}
		c.cur[key] = e
	}
	return e.cert, e.err
}

func (c *certCache) endRound() { c.last, c.cur = c.cur, nil }
