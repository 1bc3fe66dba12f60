package printers

import (
	"net"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxListed is how many addresses, ports or hosts a cell lists before
// summarising the rest as "+ N more...".
const maxListed = 3

var endpointsColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Endpoints", typeString, corev1.Endpoints{}.SwaggerDoc()["subsets"]),
	ageColumn,
}

// endpointsCells is one row of `kubectl get endpoints`.
func endpointsCells(ep *corev1.Endpoints, now time.Time) []interface{} {
	return []interface{}{ep.Name, formatEndpoints(ep), age(ep.CreationTimestamp, now)}
}

// formatEndpoints lists ready addresses as ip:port for every port of their
// subset (bare IPs for port-less headless subsets), at most three. Not-ready
// addresses are not shown; a subset list with none ready prints empty, while
// no subsets at all prints <none>.
func formatEndpoints(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return none
	}
	var shown []string
	total := 0
	add := func(s string) {
		total++
		if len(shown) < maxListed {
			shown = append(shown, s)
		}
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			for _, a := range ss.Addresses {
				add(a.IP)
			}
			continue
		}
		for _, p := range ss.Ports {
			for _, a := range ss.Addresses {
				add(net.JoinHostPort(a.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	return listWithMore(shown, total, maxListed)
}

var endpointSliceDoc = discoveryv1.EndpointSlice{}.SwaggerDoc()

var endpointSliceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("AddressType", typeString, endpointSliceDoc["addressType"]),
	column("Ports", typeString, endpointSliceDoc["ports"]),
	column("Endpoints", typeString, endpointSliceDoc["endpoints"]),
	ageColumn,
}

// endpointSliceCells is one row of `kubectl get endpointslices`.
func endpointSliceCells(es *discoveryv1.EndpointSlice, now time.Time) []interface{} {
	return []interface{}{
		es.Name,
		string(es.AddressType),
		sliceList(slicePorts(es.Ports)),
		sliceList(sliceAddresses(es.Endpoints)),
		age(es.CreationTimestamp, now),
	}
}

// slicePorts names each port by number, else by name, else "*" (a slice
// port without a number stands for all ports).
func slicePorts(ports []discoveryv1.EndpointPort) []string {
	out := make([]string, 0, len(ports))
	for _, p := range ports {
		switch {
		case p.Port != nil:
			out = append(out, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			out = append(out, *p.Name)
		default:
			out = append(out, "*")
		}
	}
	return out
}

// sliceAddresses lists every address of every endpoint, ready or not.
func sliceAddresses(endpoints []discoveryv1.Endpoint) []string {
	var out []string
	for _, e := range endpoints {
		out = append(out, e.Addresses...)
	}
	return out
}

// sliceList prints up to three entries with "+ N more...", and <unset>
// for none.
func sliceList(all []string) string {
	if len(all) == 0 {
		return unset
	}
	return listWithMore(all[:min(len(all), maxListed)], len(all), maxListed)
}
