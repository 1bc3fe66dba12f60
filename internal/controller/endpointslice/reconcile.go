package endpointslice

import (
	"cmp"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

// DefaultMaxEndpointsPerSlice is kube-controller-manager's default
// --max-endpoints-per-slice.
const DefaultMaxEndpointsPerSlice = 100

// slicePlan is what a sync writes: slices to create (generateName set),
// to update (copies of cached slices, changed) and to delete.
type slicePlan struct {
	create, update, delete []*discoveryv1.EndpointSlice
}

func (p *slicePlan) merge(o slicePlan) {
	p.create = append(p.create, o.create...)
	p.update = append(p.update, o.update...)
	p.delete = append(p.delete, o.delete...)
}

func (p slicePlan) empty() bool {
	return len(p.create) == 0 && len(p.update) == 0 && len(p.delete) == 0
}

// planSlices decides how the existing slices of svc (those labelled with its
// name and managed by this controller) become the wanted ones for pods.
// Slices of an address type the Service no longer has, or of an earlier
// Service of the same name, are deleted.
func planSlices(svc *corev1.Service, pods []*corev1.Pod, existing []*discoveryv1.EndpointSlice, zoneOf func(string) string, maxPerSlice int) slicePlan {
	if maxPerSlice <= 0 {
		maxPerSlice = DefaultMaxEndpointsPerSlice
	}
	var plan slicePlan
	types := addressTypes(svc)
	byType := map[discoveryv1.AddressType][]*discoveryv1.EndpointSlice{}
	for _, s := range existing {
		if !slices.Contains(types, s.AddressType) || !ownedBy(s, svc) {
			plan.delete = append(plan.delete, s)
			continue
		}
		byType[s.AddressType] = append(byType[s.AddressType], s)
	}
	for _, t := range types {
		plan.merge(planAddressType(svc, t, desiredGroups(svc, pods, t, zoneOf), byType[t], maxPerSlice))
	}
	return plan
}

// planAddressType plans the slices of one address type.
func planAddressType(svc *corev1.Service, t discoveryv1.AddressType, desired map[string]*endpointGroup, existing []*discoveryv1.EndpointSlice, maxPerSlice int) slicePlan {
	labels := sliceLabels(svc)
	existing = slices.Clone(existing)
	slices.SortFunc(existing, func(a, b *discoveryv1.EndpointSlice) int { return cmp.Compare(a.Name, b.Name) })
	byKey := map[string][]*discoveryv1.EndpointSlice{}
	for _, s := range existing {
		k := portKey(s.Ports)
		byKey[k] = append(byKey[k], s)
	}

	var plan slicePlan
	for _, k := range slices.Sorted(maps.Keys(desired)) {
		plan.merge(planGroup(svc, t, labels, desired[k], byKey[k], maxPerSlice))
	}
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		if _, ok := desired[k]; !ok {
			plan.delete = append(plan.delete, byKey[k]...)
		}
	}

	// A Service with no endpoints of this type keeps one empty placeholder
	// slice, so consumers can tell "no endpoints" from "not processed yet".
	if len(plan.create) == 0 && len(plan.delete) == len(existing) {
		if len(existing) == 1 && isPlaceholder(existing[0], svc) {
			plan.delete = nil
			if !labelsMatch(existing[0], labels) {
				s := existing[0].DeepCopy()
				s.Labels = labels
				plan.update = append(plan.update, s)
			}
		} else {
			plan.create = append(plan.create, newSlice(svc, t, []discoveryv1.EndpointPort{}))
		}
	}
	return plan
}

func isPlaceholder(s *discoveryv1.EndpointSlice, svc *corev1.Service) bool {
	return len(s.Endpoints) == 0 && len(s.Ports) == 0 && ownedBy(s, svc)
}

// sliceWork is an existing slice being reconciled.
type sliceWork struct {
	orig    *discoveryv1.EndpointSlice
	eps     []discoveryv1.Endpoint
	changed bool
}

// planGroup reconciles the slices of one port set with as little churn as
// possible: endpoints stay in the slice they are in; new ones go first into
// slices that change anyway, then into new full slices, and a last partial
// batch into the unchanged slice it fills best, rather than a new slice.
func planGroup(svc *corev1.Service, t discoveryv1.AddressType, labels map[string]string, g *endpointGroup, existing []*discoveryv1.EndpointSlice, maxPerSlice int) slicePlan {
	want := make(map[string]*discoveryv1.Endpoint, len(g.endpoints))
	for i := range g.endpoints {
		want[endpointKey(&g.endpoints[i])] = &g.endpoints[i]
	}
	placed := map[string]bool{}
	var pending []discoveryv1.Endpoint

	works := make([]*sliceWork, 0, len(existing))
	for _, s := range existing {
		w := &sliceWork{orig: s}
		for i := range s.Endpoints {
			k := endpointKey(&s.Endpoints[i])
			d, ok := want[k]
			if !ok || placed[k] {
				w.changed = true // gone, or a duplicate
				continue
			}
			placed[k] = true
			if !apiequality.Semantic.DeepEqual(s.Endpoints[i], *d) {
				w.changed = true
			}
			w.eps = append(w.eps, *d)
		}
		if len(w.eps) > maxPerSlice { // the limit was lowered
			pending = append(pending, w.eps[maxPerSlice:]...)
			w.eps = w.eps[:maxPerSlice]
			w.changed = true
		}
		if len(w.eps) == 0 || !labelsMatch(s, labels) || !apiequality.Semantic.DeepEqual(s.Ports, g.ports) {
			w.changed = true // an emptied slice is refilled before it is deleted
		}
		works = append(works, w)
	}
	for i := range g.endpoints {
		if !placed[endpointKey(&g.endpoints[i])] {
			pending = append(pending, g.endpoints[i])
		}
	}

	// 1. Slices written anyway take new endpoints first, fullest first.
	changed := make([]*sliceWork, 0, len(works))
	for _, w := range works {
		if w.changed {
			changed = append(changed, w)
		}
	}
	slices.SortStableFunc(changed, func(a, b *sliceWork) int { return cmp.Compare(len(b.eps), len(a.eps)) })
	for _, w := range changed {
		n := min(maxPerSlice-len(w.eps), len(pending))
		if n > 0 {
			w.eps = append(w.eps, pending[:n]...)
			pending = pending[n:]
		}
	}

	// 2. The rest in new slices, full ones first.
	var fresh [][]discoveryv1.Endpoint
	for len(pending) > 0 {
		n := min(maxPerSlice, len(pending))
		fresh = append(fresh, pending[:n])
		pending = pending[n:]
	}

	// 3. A last partial batch goes into an unchanged slice it fits, if any.
	if len(fresh) > 0 {
		last := fresh[len(fresh)-1]
		if w := bestFit(works, len(last), maxPerSlice); w != nil {
			w.eps = append(w.eps, last...)
			w.changed = true
			fresh = fresh[:len(fresh)-1]
		}
	}

	var plan slicePlan
	for _, w := range works {
		switch {
		case len(w.eps) == 0:
			plan.delete = append(plan.delete, w.orig)
		case w.changed:
			s := w.orig.DeepCopy()
			s.Labels = labels
			s.Ports = g.ports
			s.Endpoints = w.eps
			plan.update = append(plan.update, s)
		}
	}
	for _, eps := range fresh {
		s := newSlice(svc, t, g.ports)
		s.Endpoints = eps
		plan.create = append(plan.create, s)
	}
	return plan
}

// bestFit is the unchanged slice that n more endpoints leave closest to
// full without overflowing it.
func bestFit(works []*sliceWork, n, maxPerSlice int) *sliceWork {
	var best *sliceWork
	for _, w := range works {
		if w.changed || len(w.eps) == 0 {
			continue
		}
		left := maxPerSlice - len(w.eps) - n
		if left < 0 {
			continue
		}
		if best == nil || left < maxPerSlice-len(best.eps)-n {
			best = w
		}
	}
	return best
}
