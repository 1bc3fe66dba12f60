package agent

import (
	"context"
	"time"

	"github.com/berth-project/berth/internal/ingress"
	"k8s.io/component-base/metrics/legacyregistry"
)

// runIngressProxy serves Ingresses on this node's ports 80/443 (by
// default) in the node's network namespace, routing straight to the pods;
// the kube-system/berth-ingress LoadBalancer Service points at it on every
// node.
func (a *Agent) runIngressProxy(ctx context.Context) error {
	if a.cfg.IngressHTTPPort <= 0 && a.cfg.IngressHTTPSPort <= 0 {
		return nil
	}
	// Metrics go to the process's registry (the API server's /metrics
	// when the agent runs inside berth server); a second agent in the same
	// process keeps its own.
	p, err := ingress.NewProxy(ingress.ProxyOptions{Logger: a.log, Registerer: legacyregistry.Registerer()})
	if err != nil {
		p, err = ingress.NewProxy(ingress.ProxyOptions{Logger: a.log})
	}
	if err != nil {
		return err
	}
	plain, secure, err := ingress.Listen("", a.cfg.IngressHTTPPort, a.cfg.IngressHTTPSPort)
	if err != nil {
		return err
	}
	go func() {
		if err := p.Run(ctx, a.client); err != nil && ctx.Err() == nil {
			a.log.Error("ingress routing stopped", "err", err)
		}
	}()
	go func() {
		if err := p.Serve(ctx, plain, secure, 10*time.Second); err != nil {
			a.log.Error("ingress proxy stopped", "err", err)
		}
	}()
	return nil
}
