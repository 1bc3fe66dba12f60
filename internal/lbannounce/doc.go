// Package lbannounce makes a LoadBalancer Service's address reachable on the
// node network without a cloud: the seed's "external load balancer", done
// the way MetalLB's layer-2 mode does it. For every address in
// status.loadBalancer.ingress that lies on one of the node's subnets, the
// agents of all eligible nodes campaign for a Lease (kube-system/
// berth-lb-<address>); the holder answers ARP requests for the address and
// sends gratuitous ARP when it takes over, so clients send to it. The
// service proxy on that node (internal/proxy) then DNATs the traffic to an
// endpoint, as it does on every node.
//
// Exactly one node answers: a holder that cannot renew its Lease stops
// answering (RenewDeadline) before any other node may take the Lease over
// (LeaseDuration), and answering lives in the agent's process, so an agent
// that dies stops answering with it.
//
// Desired (pure) turns Services, EndpointSlices, the node and its
// interfaces into the addresses this node campaigns for; Announcer is the
// shell with informers, Leases and the ARP responder.
package lbannounce
