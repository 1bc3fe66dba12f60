package endpointslice

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxEndpointsCapacity is how many addresses an Endpoints object keeps;
// beyond it the object is truncated and annotated, as in Kubernetes (whose
// consumers moved to EndpointSlices for large Services).
const maxEndpointsCapacity = 1000

// endpointsLabels are the labels of a Service's Endpoints object: the
// Service's, plus service.kubernetes.io/headless for a headless Service.
func endpointsLabels(svc *corev1.Service) map[string]string {
	out := maps.Clone(svc.Labels)
	if out == nil {
		out = map[string]string{}
	}
	if headless(svc) {
		out[corev1.IsHeadlessService] = ""
	} else {
		delete(out, corev1.IsHeadlessService)
	}
	return out
}

// portAddresses collects the addresses behind one resolved port.
type portAddresses struct {
	port            *corev1.EndpointPort // nil for a headless Service without ports
	ready, notReady map[string]corev1.EndpointAddress
}

func addressKey(a corev1.EndpointAddress) string {
	ref := ""
	if a.TargetRef != nil {
		ref = a.TargetRef.Name
	}
	return a.IP + "/" + ref
}

// endpointsSubsets computes the subsets of the legacy Endpoints object: one
// address per pod (of the Service's primary family), ready or not ready,
// grouped so that ports with the same addresses share a subset.
func endpointsSubsets(svc *corev1.Service, pods []*corev1.Pod) []corev1.EndpointSubset {
	byPort := map[string]*portAddresses{}
	add := func(p *corev1.EndpointPort, a corev1.EndpointAddress, ready bool) {
		k := ""
		if p != nil {
			k = fmt.Sprintf("%s/%s/%d/%s", p.Protocol, p.Name, p.Port, deref(p.AppProtocol))
		}
		pa, ok := byPort[k]
		if !ok {
			pa = &portAddresses{port: p, ready: map[string]corev1.EndpointAddress{}, notReady: map[string]corev1.EndpointAddress{}}
			byPort[k] = pa
		}
		if ready {
			pa.ready[addressKey(a)] = a
		} else {
			pa.notReady[addressKey(a)] = a
		}
	}
	for _, pod := range pods {
		if !includePod(pod, svc.Spec.PublishNotReadyAddresses) {
			continue
		}
		ips := podAddresses(pod, primaryAddressType(svc, pod))
		if len(ips) == 0 {
			continue
		}
		a := corev1.EndpointAddress{
			IP:        ips[0],
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		}
		if pod.Spec.NodeName != "" {
			node := pod.Spec.NodeName
			a.NodeName = &node
		}
		if shouldSetHostname(pod, svc) {
			a.Hostname = pod.Spec.Hostname
		}
		ready := svc.Spec.PublishNotReadyAddresses || podReady(pod)
		if len(svc.Spec.Ports) == 0 {
			if headless(svc) {
				add(nil, a, ready)
			}
			continue
		}
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			n, ok := findPort(pod, sp)
			if !ok {
				continue
			}
			proto := sp.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			add(&corev1.EndpointPort{Name: sp.Name, Port: n, Protocol: proto, AppProtocol: sp.AppProtocol}, a, ready)
		}
	}
	return repack(byPort)
}

// repack groups ports whose address sets are equal into one subset, sorted
// so that the same state always gives the same object.
func repack(byPort map[string]*portAddresses) []corev1.EndpointSubset {
	bySet := map[string]*corev1.EndpointSubset{}
	for _, pa := range byPort {
		sig := strings.Join(slices.Sorted(maps.Keys(pa.ready)), ",") + "|" + strings.Join(slices.Sorted(maps.Keys(pa.notReady)), ",")
		ss, ok := bySet[sig]
		if !ok {
			ss = &corev1.EndpointSubset{
				Addresses:         sortedAddresses(pa.ready),
				NotReadyAddresses: sortedAddresses(pa.notReady),
			}
			bySet[sig] = ss
		}
		if pa.port != nil {
			ss.Ports = append(ss.Ports, *pa.port)
		}
	}
	out := make([]corev1.EndpointSubset, 0, len(bySet))
	for _, ss := range bySet {
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			continue
		}
		slices.SortFunc(ss.Ports, func(a, b corev1.EndpointPort) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol))
		})
		out = append(out, *ss)
	}
	slices.SortFunc(out, func(a, b corev1.EndpointSubset) int {
		return cmp.Or(cmp.Compare(firstIP(a), firstIP(b)), cmp.Compare(firstPort(a), firstPort(b)))
	})
	return out
}

func sortedAddresses(m map[string]corev1.EndpointAddress) []corev1.EndpointAddress {
	if len(m) == 0 {
		return nil
	}
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b corev1.EndpointAddress) int {
		return cmp.Or(compareIP(a.IP, b.IP), cmp.Compare(addressKey(a), addressKey(b)))
	})
	return out
}

func compareIP(a, b string) int {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil {
		return cmp.Compare(a, b)
	}
	return x.Compare(y)
}

func firstIP(ss corev1.EndpointSubset) string {
	if len(ss.Addresses) > 0 {
		return ss.Addresses[0].IP
	}
	return ss.NotReadyAddresses[0].IP
}

func firstPort(ss corev1.EndpointSubset) string {
	if len(ss.Ports) == 0 {
		return ""
	}
	return ss.Ports[0].Name
}

// truncateSubsets keeps at most limit addresses, ready ones first, taking
// from each subset in proportion to its size. It reports whether anything
// was dropped.
func truncateSubsets(subsets []corev1.EndpointSubset, limit int) ([]corev1.EndpointSubset, bool) {
	ready, notReady := 0, 0
	for _, ss := range subsets {
		ready += len(ss.Addresses)
		notReady += len(ss.NotReadyAddresses)
	}
	if ready+notReady <= limit {
		return subsets, false
	}
	out := make([]corev1.EndpointSubset, len(subsets))
	copy(out, subsets)
	readyBudget := min(ready, limit)
	notReadyBudget := limit - readyBudget
	leftReady, leftNotReady := readyBudget, notReadyBudget
	for i := range out {
		nr := share(len(out[i].Addresses), ready, readyBudget, leftReady)
		out[i].Addresses = out[i].Addresses[:nr:nr]
		leftReady -= nr
		nn := share(len(out[i].NotReadyAddresses), notReady, notReadyBudget, leftNotReady)
		out[i].NotReadyAddresses = out[i].NotReadyAddresses[:nn:nn]
		leftNotReady -= nn
	}
	// Drop subsets left without addresses.
	out = slices.DeleteFunc(out, func(ss corev1.EndpointSubset) bool {
		return len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0
	})
	return out, true
}

// share is a subset's part of budget: its proportion of total, rounded up,
// never more than what is left nor than it has.
func share(have, total, budget, left int) int {
	if total == 0 || have == 0 {
		return 0
	}
	n := (have*budget + total - 1) / total
	return min(n, left, have)
}

// desiredEndpoints is the Endpoints object svc should have, built on
// current (nil when there is none); write is false when current already is
// that object.
func desiredEndpoints(svc *corev1.Service, pods []*corev1.Pod, current *corev1.Endpoints) (want *corev1.Endpoints, write bool) {
	subsets, truncated := truncateSubsets(endpointsSubsets(svc, pods), maxEndpointsCapacity)
	if current == nil {
		want = &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: svc.Namespace, Name: svc.Name}}
	} else {
		want = current.DeepCopy()
	}
	want.Labels = endpointsLabels(svc)
	want.Subsets = subsets
	if truncated {
		if want.Annotations == nil {
			want.Annotations = map[string]string{}
		}
		want.Annotations[corev1.EndpointsOverCapacity] = "truncated"
	} else {
		delete(want.Annotations, corev1.EndpointsOverCapacity)
	}
	if current == nil {
		return want, true
	}
	same := apiequality.Semantic.DeepEqual(current.Subsets, want.Subsets) &&
		maps.Equal(current.Labels, want.Labels) &&
		maps.Equal(current.Annotations, want.Annotations)
	return want, !same
}
