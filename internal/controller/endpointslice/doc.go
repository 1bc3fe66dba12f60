// Package endpointslice is berth's endpoints controller pair: the part of
// kube-controller-manager that turns a Service's selector into the list of
// pod addresses behind it.
//
// For every Service with a selector (and not of type ExternalName) it keeps
//
//   - EndpointSlices (discovery.k8s.io/v1), one group per address family,
//     labelled kubernetes.io/service-name=<svc> and
//     endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,
//     named generateName "<svc>-" and owned by the Service. Each endpoint is
//     a pod with an IP, with its ready / serving / terminating conditions,
//     targetRef, nodeName, zone and (when pod.spec.hostname and subdomain
//     match the Service) hostname. Ports are resolved per pod — a named
//     targetPort is looked up in each pod's container ports — and pods whose
//     ports resolve differently go into different slices. A slice holds at
//     most 100 endpoints (configurable); updates change as few slices as
//     possible. A Service with no endpoints keeps one empty placeholder
//     slice, as in Kubernetes.
//   - the legacy Endpoints object "<svc>" (core/v1), with subsets of
//     addresses and notReadyAddresses grouped by port, truncated at 1000
//     addresses with the endpoints.kubernetes.io/over-capacity annotation.
//
// Services without a selector are left alone: their endpoints come from
// their users (and the default/kubernetes Service's from the API server).
//
// Decisions are pure functions: endpoint.go (pod → endpoint and ports),
// addresstype.go, desired.go (the wanted endpoints, grouped by ports),
// reconcile.go (existing slices + wanted endpoints → create / update /
// delete), labels.go, endpoints.go (the legacy object), podchange.go and
// tracker.go (informer-cache staleness). controller.go and sync.go are the
// client-go shell.
package endpointslice
