package volume

import (
	"context"
	"log/slog"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	"github.com/berth-project/berth/internal/controller/volume/binder"
	"github.com/berth-project/berth/internal/controller/volume/ephemeral"
	"github.com/berth-project/berth/internal/controller/volume/expand"
	"github.com/berth-project/berth/internal/controller/volume/protection"
	"github.com/berth-project/berth/internal/controller/volume/provisioner"
)

// runner is what each storage controller offers.
type runner interface {
	Run(ctx context.Context, workers int) error
}

// Start runs every storage controller on one shared informer factory until
// ctx ends. The provisioner gets one worker: capacity is shared, so
// placements are decided one at a time.
func Start(ctx context.Context, client kubernetes.Interface) {
	factory := informers.NewSharedInformerFactory(client, 0)
	type ctor struct {
		name    string
		workers int
		make    func() (runner, error)
	}
	ctors := []ctor{
		{"persistentvolume-binder", 2, func() (runner, error) { return binder.New(client, factory) }},
		{"provisioner", 1, func() (runner, error) { return provisioner.New(client, factory) }},
		{"volume-protection", 2, func() (runner, error) { return protection.New(client, factory) }},
		{"volume-expand", 1, func() (runner, error) { return expand.New(client, factory) }},
		{"ephemeral-volume", 2, func() (runner, error) { return ephemeral.New(client, factory) }},
	}
	for _, c := range ctors {
		r, err := c.make()
		if err != nil {
			slog.Error("storage controller", "controller", c.name, "err", err)
			continue
		}
		go func() {
			if err := r.Run(ctx, c.workers); err != nil && ctx.Err() == nil {
				slog.Error("controller stopped", "controller", c.name, "err", err)
			}
		}()
	}
	factory.Start(ctx.Done())
}
