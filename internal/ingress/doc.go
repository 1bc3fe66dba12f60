// Package ingress is berth's Ingress controller — the seed's LoadBalancer
// that "can be configured to work with Ingress resources to handle routing
// to multiple services from a single IP address based on the URL path".
//
// It has three parts:
//
//   - Build (pure) turns Ingresses of the berth class, Services,
//     EndpointSlices and kubernetes.io/tls Secrets into a Table: hosts exact
//     and wildcard, paths Exact/Prefix/ImplementationSpecific with the
//     Ingress spec's precedence, default backends, backends resolved to ready
//     endpoint addresses, and certificates by SNI host.
//   - Proxy is the data plane every node agent runs in the node's network
//     namespace: an HTTP/1.1 + HTTP/2 (TLS, ALPN) reverse proxy on ports 80
//     and 443 that routes straight to ready endpoints (round-robin, keep-alive
//     pools, retry on connection failure to another endpoint, WebSocket
//     upgrades, X-Forwarded-* headers). Informers rebuild the Table and swap
//     it atomically, so in-flight requests keep the table they started with.
//   - Controller runs in the server: it publishes the address of the
//     kube-system/berth-ingress LoadBalancer Service (or, until it has one,
//     the Ready nodes' InternalIPs) in every Ingress's status, keeps that
//     Service's EndpointSlice listing every Ready node's ingress ports, and
//     records events on Ingresses that reference missing Services or Secrets.
package ingress
