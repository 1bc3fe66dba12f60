// Package nodeipam hands out pod address ranges to Nodes, as the "range
// allocator" of kube-controller-manager's node-ipam controller does.
//
// The cluster CIDR (default 10.42.0.0/16) is cut into equal subnets (default
// /24). Every Node without one gets the lowest free subnet written to
// spec.podCIDR and spec.podCIDRs; the node's network plugin builds its pod
// bridge from it and the service proxy routes to it. A subnet is never given
// to two nodes, and it becomes free again when its node is deleted.
//
// Nothing is persisted: the used set is rebuilt from the Nodes themselves on
// every pass (plan.go), so a restart neither forgets nor duplicates a
// subnet. A podCIDR a node already carries is kept (the API server makes it
// immutable once set); if two nodes claim overlapping ranges the older node
// is the legitimate holder and the other one is reported. Ranges that lie
// outside the cluster CIDR are left alone and not tracked.
//
// cidrset.go is the subnet arithmetic, plan.go the pure decision,
// controller.go the informer/work-queue shell that patches Nodes.
package nodeipam
