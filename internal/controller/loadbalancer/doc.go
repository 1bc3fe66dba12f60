// Package loadbalancer is the seed's "LoadBalancer … provisions an external
// load balancer" without a cloud: it gives every Service of type
// LoadBalancer an address from the operator's pools (berth server
// --lb-pool) and writes it into status.loadBalancer.ingress, where kubectl
// shows it as EXTERNAL-IP. Traffic to that address is handled by the service
// proxy on every node; one node at a time answers ARP for it
// (internal/lbannounce).
//
// Assign is pure: all Services and the pools in, the desired status of each
// Service out. Controller is the client-go shell that applies it.
package loadbalancer
