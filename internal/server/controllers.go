package server

import (
	"context"
	"log/slog"
	"net"

	"github.com/berth-project/berth/internal/apiserver"
	"github.com/berth-project/berth/internal/controller/daemonset"
	"github.com/berth-project/berth/internal/controller/deployment"
	"github.com/berth-project/berth/internal/controller/endpointslice"
	"github.com/berth-project/berth/internal/controller/garbagecollector"
	"github.com/berth-project/berth/internal/controller/loadbalancer"
	"github.com/berth-project/berth/internal/controller/namespace"
	"github.com/berth-project/berth/internal/controller/nodeipam"
	"github.com/berth-project/berth/internal/controller/nodelifecycle"
	"github.com/berth-project/berth/internal/controller/replicaset"
	"github.com/berth-project/berth/internal/controller/serviceaccount"
	"github.com/berth-project/berth/internal/controller/statefulset"
	"github.com/berth-project/berth/internal/controller/volume"
	"github.com/berth-project/berth/internal/ingress"
	"github.com/berth-project/berth/internal/scheduler"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
)

// runControllers starts the control loops that live in the server process,
// each over the loopback client like any other API client.
func runControllers(ctx context.Context, srv *apiserver.Server, client kubernetes.Interface, caPEM []byte, clusterCIDR *net.IPNet, lbPools loadbalancer.Pools, o Options, lifecycle nodelifecycle.Options) {
	if err := srv.RepairServiceRanges(ctx, client); err != nil {
		slog.Error("repairing service ranges", "err", err)
	}
	if err := srv.Bootstrap(ctx, client); err != nil {
		slog.Error("bootstrap", "err", err)
	}
	meta, err := metadata.NewForConfig(srv.LoopbackConfig())
	if err != nil {
		slog.Error("metadata client", "err", err)
		return
	}
	var gcResources []garbagecollector.Resource
	var namespaced []schema.GroupVersionResource
	for _, r := range apiserver.ServedResources() {
		gcResources = append(gcResources, garbagecollector.Resource{GVR: r.GVR, Kind: r.Kind, Namespaced: r.Namespaced})
		if r.Namespaced {
			namespaced = append(namespaced, r.GVR)
		}
	}
	start := func(name string, run func(context.Context, int) error, workers int) {
		go func() {
			if err := run(ctx, workers); err != nil && ctx.Err() == nil {
				slog.Error("controller stopped", "controller", name, "err", err)
			}
		}()
	}
	if gc, err := garbagecollector.New(meta, gcResources); err != nil {
		slog.Error("garbage collector", "err", err)
	} else {
		start("garbagecollector", gc.Run, 4)
	}
	if nc, err := namespace.New(client, meta, namespaced); err != nil {
		slog.Error("namespace controller", "err", err)
	} else {
		start("namespace", nc.Run, 2)
	}
	if ipam, err := nodeipam.New(client, clusterCIDR, 24); err != nil {
		slog.Error("node IPAM controller", "err", err)
	} else {
		start("nodeipam", ipam.Run, 1)
	}
	if nl, err := nodelifecycle.New(client, lifecycle); err != nil {
		slog.Error("node lifecycle controller", "err", err)
	} else {
		start("nodelifecycle", nl.Run, 1)
	}
	if sched, err := scheduler.New(client, scheduler.Options{VolumeBinding: true}); err != nil {
		slog.Error("scheduler", "err", err)
	} else {
		start("scheduler", sched.Run, 2)
	}
	if es, err := endpointslice.New(client, endpointslice.Options{}); err != nil {
		slog.Error("endpointslice controller", "err", err)
	} else {
		start("endpointslice", es.Run, 2)
	}
	start("loadbalancer", loadbalancer.New(client, lbPools).Run, 1)
	// The workload controllers share one informer cache of pods,
	// ReplicaSets, Deployments, DaemonSets and StatefulSets.
	workloads := informers.NewSharedInformerFactory(client, 0)
	if rs, err := replicaset.New(client, workloads); err != nil {
		slog.Error("replicaset controller", "err", err)
	} else {
		start("replicaset", rs.Run, 4)
	}
	if dc, err := deployment.New(client, workloads); err != nil {
		slog.Error("deployment controller", "err", err)
	} else {
		start("deployment", dc.Run, 4)
	}
	if ds, err := daemonset.New(client, workloads); err != nil {
		slog.Error("daemonset controller", "err", err)
	} else {
		start("daemonset", ds.Run, 2)
	}
	if ss, err := statefulset.New(client, workloads); err != nil {
		slog.Error("statefulset controller", "err", err)
	} else {
		start("statefulset", ss.Run, 2)
	}
	workloads.Start(ctx.Done())
	volume.Start(ctx, client) // binder, provisioner, protection, expansion, ephemeral claims
	start("ingress", ingress.NewController(client, ingress.ControllerOptions{HTTPPort: o.IngressHTTPPort, HTTPSPort: o.IngressHTTPSPort}).Run, 1)
	if sc, err := serviceaccount.New(client, caPEM); err != nil {
		slog.Error("serviceaccount controller", "err", err)
	} else {
		start("serviceaccount", sc.Run, 2)
	}
}
