package apiserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"

	"github.com/berth-project/berth/internal/apiserver/allocator"
)

// A Service's stable virtual IP and its NodePorts are allocated here, in the
// API server, as Kubernetes does: before the object is stored, from ranges
// kept in etcd so two creates never get the same address, and given back
// when the Service goes (or stops needing them).

// ipRange and portRange are the allocator operations the Service registry
// uses (implemented over etcd by package allocator).
type ipRange interface {
	Allocate(ctx context.Context, ip net.IP) error
	AllocateNext(ctx context.Context) (net.IP, error)
	Release(ctx context.Context, ip net.IP) error
}

type portRange interface {
	Allocate(ctx context.Context, port int) error
	AllocateNext(ctx context.Context) (int, error)
	Release(ctx context.Context, port int) error
}

type serviceAllocation struct {
	ips      ipRange
	ports    portRange
	ipRepair interface {
		Repair(context.Context, []net.IP) error
	}
	portRepair interface {
		Repair(context.Context, []int) error
	}
}

// needsClusterIP: every Service but ExternalName and headless ones.
func needsClusterIP(s *corev1.Service) bool {
	return s.Spec.Type != corev1.ServiceTypeExternalName && s.Spec.ClusterIP != corev1.ClusterIPNone
}

// needsNodePorts: NodePort Services, and LoadBalancers unless they opt out.
func needsNodePorts(s *corev1.Service) bool {
	switch s.Spec.Type {
	case corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeLoadBalancer:
		return s.Spec.AllocateLoadBalancerNodePorts == nil || *s.Spec.AllocateLoadBalancerNodePorts
	}
	return false
}

func needsHealthCheckNodePort(s *corev1.Service) bool {
	return s.Spec.Type == corev1.ServiceTypeLoadBalancer && s.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
}

// allocations records what one request took, to give it back on failure.
type allocations struct {
	ips   []net.IP
	ports []int
}

func (a *serviceAllocation) rollback(ctx context.Context, took allocations) {
	for _, ip := range took.ips {
		if err := a.ips.Release(ctx, ip); err != nil {
			slog.Warn("releasing ClusterIP after failed write", "ip", ip, "err", err)
		}
	}
	for _, p := range took.ports {
		if err := a.ports.Release(ctx, p); err != nil {
			slog.Warn("releasing NodePort after failed write", "port", p, "err", err)
		}
	}
}

func invalid(svc *corev1.Service, errs ...*field.Error) error {
	return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Service").GroupKind(), svc.Name, errs)
}

// allocateClusterIP fills spec.clusterIP/clusterIPs, taking the requested
// address or the next free one.
func (a *serviceAllocation) allocateClusterIP(ctx context.Context, svc *corev1.Service, took *allocations) error {
	path := field.NewPath("spec", "clusterIPs").Index(0)
	requested := svc.Spec.ClusterIP
	if requested == "" && len(svc.Spec.ClusterIPs) > 0 {
		requested = svc.Spec.ClusterIPs[0]
	}
	var ip net.IP
	if requested == "" {
		next, err := a.ips.AllocateNext(ctx)
		if err != nil {
			return apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP: %w", err))
		}
		ip = next
	} else {
		ip = net.ParseIP(requested)
		if ip == nil {
			return invalid(svc, field.Invalid(path, requested, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
		}
		if err := a.ips.Allocate(ctx, ip); err != nil {
			return invalid(svc, field.Invalid(path, requested, fmt.Sprintf("failed to allocate IP %s: %v", requested, err)))
		}
	}
	took.ips = append(took.ips, ip)
	svc.Spec.ClusterIP = ip.String()
	svc.Spec.ClusterIPs = []string{ip.String()}
	return nil
}

// allocateNodePorts gives every port a NodePort: the one asked for, else the
// one it had before (keep), else the next free one.
func (a *serviceAllocation) allocateNodePorts(ctx context.Context, svc *corev1.Service, keep map[int]bool, took *allocations) error {
	inRequest := map[int]bool{}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		path := field.NewPath("spec", "ports").Index(i).Child("nodePort")
		np := int(p.NodePort)
		switch {
		case np != 0 && (keep[np] || inRequest[np]):
			// already ours (an update keeping it, or TCP and UDP sharing it)
		case np != 0:
			if err := a.ports.Allocate(ctx, np); err != nil {
				return invalid(svc, field.Invalid(path, p.NodePort, portError(err)))
			}
			took.ports = append(took.ports, np)
		default:
			next, err := a.ports.AllocateNext(ctx)
			if err != nil {
				return apierrors.NewInternalError(fmt.Errorf("failed to allocate a nodePort: %w", err))
			}
			took.ports = append(took.ports, next)
			p.NodePort = int32(next)
			np = next
		}
		inRequest[np] = true
	}
	if needsHealthCheckNodePort(svc) {
		path := field.NewPath("spec", "healthCheckNodePort")
		hc := int(svc.Spec.HealthCheckNodePort)
		switch {
		case hc != 0 && keep[hc]:
		case hc != 0:
			if err := a.ports.Allocate(ctx, hc); err != nil {
				return invalid(svc, field.Invalid(path, svc.Spec.HealthCheckNodePort, portError(err)))
			}
			took.ports = append(took.ports, hc)
		default:
			next, err := a.ports.AllocateNext(ctx)
			if err != nil {
				return apierrors.NewInternalError(fmt.Errorf("failed to allocate a healthCheckNodePort: %w", err))
			}
			took.ports = append(took.ports, next)
			svc.Spec.HealthCheckNodePort = int32(next)
		}
	}
	return nil
}

func portError(err error) string {
	return err.Error()
}

// heldPorts are the NodePorts (and health-check port) a Service holds.
func heldPorts(svc *corev1.Service) []int {
	var out []int
	seen := map[int]bool{}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 && !seen[int(p.NodePort)] {
			seen[int(p.NodePort)] = true
			out = append(out, int(p.NodePort))
		}
	}
	if svc.Spec.HealthCheckNodePort != 0 && !seen[int(svc.Spec.HealthCheckNodePort)] {
		out = append(out, int(svc.Spec.HealthCheckNodePort))
	}
	return out
}

// heldIPs are the ClusterIPs a Service holds.
func heldIPs(svc *corev1.Service) []net.IP {
	var out []net.IP
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	for _, s := range ips {
		if ip := net.ParseIP(s); ip != nil {
			out = append(out, ip)
		}
	}
	return out
}

func isDryRunCreate(o *metav1.CreateOptions) bool { return o != nil && len(o.DryRun) > 0 }
func isDryRunUpdate(o *metav1.UpdateOptions) bool { return o != nil && len(o.DryRun) > 0 }

func (a *serviceAllocation) beginCreate(ctx context.Context, obj runtime.Object, options *metav1.CreateOptions) (genericregistry.FinishFunc, error) {
	svc := obj.(*corev1.Service)
	var took allocations
	err := func() error {
		if svc.Spec.ClusterIP == corev1.ClusterIPNone || (len(svc.Spec.ClusterIPs) > 0 && svc.Spec.ClusterIPs[0] == corev1.ClusterIPNone) {
			svc.Spec.ClusterIP = corev1.ClusterIPNone
			svc.Spec.ClusterIPs = []string{corev1.ClusterIPNone}
		}
		if needsClusterIP(svc) {
			if err := a.allocateClusterIP(ctx, svc, &took); err != nil {
				return err
			}
		}
		if needsNodePorts(svc) || needsHealthCheckNodePort(svc) {
			if err := a.allocateNodePorts(ctx, svc, nil, &took); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		a.rollback(ctx, took)
		return nil, err
	}
	dryRun := isDryRunCreate(options)
	return func(ctx context.Context, success bool) {
		if !success || dryRun {
			a.rollback(context.WithoutCancel(ctx), took)
		}
	}, nil
}

func (a *serviceAllocation) beginUpdate(ctx context.Context, obj, old runtime.Object, options *metav1.UpdateOptions) (genericregistry.FinishFunc, error) {
	svc, oldSvc := obj.(*corev1.Service), old.(*corev1.Service)
	var took, release allocations
	err := func() error {
		// ClusterIP: kept when both need one (validation refuses a change),
		// allocated when one becomes needed, released when no longer needed.
		oldIPs := heldIPs(oldSvc)
		switch {
		case needsClusterIP(svc) && len(oldIPs) > 0:
			if svc.Spec.ClusterIP == "" && len(svc.Spec.ClusterIPs) == 0 {
				svc.Spec.ClusterIP = oldSvc.Spec.ClusterIP
				svc.Spec.ClusterIPs = oldSvc.Spec.ClusterIPs
			}
		case needsClusterIP(svc):
			if err := a.allocateClusterIP(ctx, svc, &took); err != nil {
				return err
			}
		default:
			release.ips = oldIPs
			if svc.Spec.Type == corev1.ServiceTypeExternalName {
				svc.Spec.ClusterIP, svc.Spec.ClusterIPs = "", nil
			}
		}
		// NodePorts: reuse the old port's NodePort when the request leaves it
		// empty (kubectl apply does not send allocated values).
		oldPorts := heldPorts(oldSvc)
		keep := map[int]bool{}
		if needsNodePorts(svc) || needsHealthCheckNodePort(svc) {
			for i := range svc.Spec.Ports {
				p := &svc.Spec.Ports[i]
				if p.NodePort == 0 {
					for _, op := range oldSvc.Spec.Ports {
						if op.NodePort != 0 && op.Port == p.Port && op.Protocol == p.Protocol {
							p.NodePort = op.NodePort
						}
					}
				}
			}
			if needsHealthCheckNodePort(svc) && svc.Spec.HealthCheckNodePort == 0 {
				svc.Spec.HealthCheckNodePort = oldSvc.Spec.HealthCheckNodePort
			}
			if !needsNodePorts(svc) {
				for i := range svc.Spec.Ports {
					svc.Spec.Ports[i].NodePort = 0
				}
			}
			for _, p := range oldPorts {
				keep[p] = true
			}
			if err := a.allocateNodePorts(ctx, svc, keep, &took); err != nil {
				return err
			}
		} else {
			for i := range svc.Spec.Ports {
				svc.Spec.Ports[i].NodePort = 0
			}
			svc.Spec.HealthCheckNodePort = 0
		}
		if !needsHealthCheckNodePort(svc) {
			svc.Spec.HealthCheckNodePort = 0
		}
		stillHeld := map[int]bool{}
		for _, p := range heldPorts(svc) {
			stillHeld[p] = true
		}
		for _, p := range oldPorts {
			if !stillHeld[p] {
				release.ports = append(release.ports, p)
			}
		}
		return nil
	}()
	if err != nil {
		a.rollback(ctx, took)
		return nil, err
	}
	dryRun := isDryRunUpdate(options)
	return func(ctx context.Context, success bool) {
		ctx = context.WithoutCancel(ctx)
		if !success || dryRun {
			a.rollback(ctx, took)
			return
		}
		a.rollback(ctx, release)
	}, nil
}

func (a *serviceAllocation) afterDelete(obj runtime.Object, options *metav1.DeleteOptions) {
	if options != nil && len(options.DryRun) > 0 {
		return
	}
	svc, ok := obj.(*corev1.Service)
	if !ok {
		return
	}
	a.rollback(context.Background(), allocations{ips: heldIPs(svc), ports: heldPorts(svc)})
}

func (a *serviceAllocation) install(store, status *genericregistry.Store) {
	store.BeginCreate = a.beginCreate
	store.BeginUpdate = a.beginUpdate
	store.AfterDelete = a.afterDelete
	if status != nil {
		// A status update can remove the last finalizer and so delete.
		status.AfterDelete = a.afterDelete
	}
}

// newServiceAllocation opens the ClusterIP and NodePort ranges in etcd.
func newServiceAllocation(cfg Config) (*serviceAllocation, error) {
	if cfg.EtcdClient == nil || cfg.ServiceCIDR == nil {
		return nil, errors.New("service allocation needs an etcd client and a service CIDR")
	}
	ips, err := allocator.NewCIDRAllocator(cfg.EtcdClient, "/registry/ranges/serviceips", cfg.ServiceCIDR)
	if err != nil {
		return nil, err
	}
	base, size := cfg.NodePortBase, cfg.NodePortSize
	if base == 0 {
		base, size = 30000, 2768
	}
	ports, err := allocator.NewPortAllocator(cfg.EtcdClient, "/registry/ranges/servicenodeports", base, size)
	if err != nil {
		return nil, err
	}
	return &serviceAllocation{ips: ips, ports: ports, ipRepair: ips, portRepair: ports}, nil
}
