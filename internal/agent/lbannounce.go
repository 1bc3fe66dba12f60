package agent

import (
	"context"

	"github.com/berth-project/berth/internal/lbannounce"
)

// runLBAnnouncer campaigns for the LoadBalancer addresses on this node's
// subnets and answers ARP for those it wins, so traffic to them reaches a
// node whose service proxy forwards it. On shutdown it gives its Leases up
// so that another node takes over at once.
func (a *Agent) runLBAnnouncer(ctx context.Context) {
	ann := lbannounce.New(a.client, a.cfg.NodeName, nil, a.log)
	go func() {
		if err := ann.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("LoadBalancer announcer stopped", "err", err)
		}
	}()
}
