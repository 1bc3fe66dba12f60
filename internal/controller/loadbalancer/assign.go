package loadbalancer

import (
	"fmt"
	"net/netip"
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// Decision is what one Service's load-balancer status should be.
type Decision struct {
	// IPs are the addresses for status.loadBalancer.ingress; empty means
	// the status must have no ingress entries.
	IPs []netip.Addr
	// Problem, when set, says why the Service has no (or not the wanted)
	// address; it becomes a Warning event.
	Problem string
	// Pool the address came from (for the event).
	Pool string
}

// Ours reports whether berth allocates for this Service: type LoadBalancer
// with no loadBalancerClass or berth's own.
func Ours(svc *corev1.Service) bool {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	return svc.Spec.LoadBalancerClass == nil || *svc.Spec.LoadBalancerClass == ClassName
}

// Assign computes every Service's load-balancer addresses from the Services
// and the pools. Addresses a Service already shows stay with it while they
// remain valid; older Services win conflicts; new addresses are the lowest
// free ones of the Service's pool. The result is keyed "namespace/name" and
// holds an entry for every Service whose status Assign has a say on: ours,
// and Services that stopped being LoadBalancers but still show an address
// from a pool.
func Assign(services []*corev1.Service, pools Pools) map[string]Decision {
	svcs := append([]*corev1.Service(nil), services...)
	sort.Slice(svcs, func(i, j int) bool {
		a, b := svcs[i], svcs[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return key(a) < key(b)
	})
	out := map[string]Decision{}
	taken := map[netip.Addr]string{}

	// Pass 1: Services keep the addresses they show if still right for them.
	type pending struct {
		svc  *corev1.Service
		pool *Pool
		want netip.Addr // spec.loadBalancerIP, if any
	}
	var todo []pending
	for _, svc := range svcs {
		k := key(svc)
		if !Ours(svc) {
			if svc.Spec.Type != corev1.ServiceTypeLoadBalancer && showsPoolAddress(svc, pools) {
				out[k] = Decision{}
			}
			continue
		}
		pool, want, problem := wanted(svc, pools)
		if problem != "" {
			out[k] = Decision{Problem: problem}
			continue
		}
		if kept := keepable(svc, pool, want, taken); kept.IsValid() {
			taken[kept] = k
			out[k] = Decision{IPs: []netip.Addr{kept}, Pool: pool.Name}
			continue
		}
		todo = append(todo, pending{svc, pool, want})
	}

	// Pass 2: the others get the address they ask for, then (pass 3) the
	// lowest free one, so that an automatic choice never takes an address
	// a Service explicitly asked for.
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].want.IsValid() && !todo[j].want.IsValid() })
	for _, p := range todo {
		k := key(p.svc)
		if p.want.IsValid() {
			if holder, busy := taken[p.want]; busy {
				out[k] = Decision{Problem: fmt.Sprintf("requested IP %s is already in use by Service %s", p.want, holder)}
				continue
			}
			taken[p.want] = k
			out[k] = Decision{IPs: []netip.Addr{p.want}, Pool: p.pool.Name}
			continue
		}
		ip, ok := lowestFree(p.pool, taken)
		if !ok {
			out[k] = Decision{Problem: fmt.Sprintf("no available IPs in pool %q", p.pool.Name)}
			continue
		}
		taken[ip] = k
		out[k] = Decision{IPs: []netip.Addr{ip}, Pool: p.pool.Name}
	}
	return out
}

// wanted is the pool a Service draws from and the address it asks for.
func wanted(svc *corev1.Service, pools Pools) (*Pool, netip.Addr, string) {
	if len(pools) == 0 {
		return nil, netip.Addr{}, "no LoadBalancer address pool is configured (berth server --lb-pool)"
	}
	var pool *Pool
	if name, ok := svc.Annotations[AnnotationPool]; ok {
		if pool = pools.ByName(name); pool == nil {
			return nil, netip.Addr{}, fmt.Sprintf("unknown pool %q in annotation %s", name, AnnotationPool)
		}
	}
	var want netip.Addr
	if s := svc.Spec.LoadBalancerIP; s != "" {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return nil, netip.Addr{}, fmt.Sprintf("spec.loadBalancerIP %q is not an IP address", s)
		}
		want = ip.Unmap()
		if pool == nil {
			for _, p := range pools {
				if p.Contains(want) {
					pool = p
				}
			}
		}
		if pool == nil || !pool.Contains(want) {
			return nil, netip.Addr{}, fmt.Sprintf("requested IP %s is not in any allowed pool", want)
		}
	}
	if pool == nil {
		pool = pools.Default()
	}
	return pool, want, ""
}

// keepable returns the address the Service shows if it may keep it.
func keepable(svc *corev1.Service, pool *Pool, want netip.Addr, taken map[netip.Addr]string) netip.Addr {
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		ip, err := netip.ParseAddr(ing.IP)
		if err != nil {
			continue
		}
		ip = ip.Unmap()
		if !pool.Contains(ip) || (want.IsValid() && ip != want) {
			continue
		}
		if _, busy := taken[ip]; busy {
			continue
		}
		return ip
	}
	return netip.Addr{}
}

func lowestFree(pool *Pool, taken map[netip.Addr]string) (netip.Addr, bool) {
	for _, r := range pool.ranges {
		for a := r.first; a.IsValid() && r.contains(a); a = a.Next() {
			if _, busy := taken[a]; !busy {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func showsPoolAddress(svc *corev1.Service, pools Pools) bool {
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		if ip, err := netip.ParseAddr(ing.IP); err == nil && pools.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

func key(svc *corev1.Service) string { return svc.Namespace + "/" + svc.Name }

// Status renders a Decision as the Service's load-balancer status.
func (d Decision) Status() corev1.LoadBalancerStatus {
	var st corev1.LoadBalancerStatus
	vip := corev1.LoadBalancerIPModeVIP
	for _, ip := range d.IPs {
		st.Ingress = append(st.Ingress, corev1.LoadBalancerIngress{IP: ip.String(), IPMode: &vip})
	}
	return st
}
