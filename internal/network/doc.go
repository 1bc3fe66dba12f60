// Package network builds the pod network of one node.
//
// It implements this part of the seed's picture: "each pod has its own
// network namespace and IP; a veth pair joins it to the node's bridge; pods
// on the node reach each other by pod IP".
//
//   - EnsureNode creates the node's bridge (berth0 by default) holding the
//     gateway address of the node's podCIDR, and turns on IPv4 forwarding —
//     all inside the node's network namespace and nowhere else.
//   - SetupPod gives a pod sandbox a network namespace of its own, persisted
//     as a bind mount (default /run/berth/netns/<sandboxID>) so runc can join
//     it by path, with loopback, an eth0 holding the pod's IP (from package
//     ipam) and a default route via the gateway; the other end of eth0's
//     veth pair sits on the bridge, in hairpin mode.
//   - TeardownPod undoes all of it, also after a crash half-way through
//     SetupPod; ListSandboxes and GarbageCollect find what is left on disk.
//   - ResolvConf, EtcHosts and PodHostname compute a pod's /etc/resolv.conf,
//     /etc/hosts and hostname the way the kubelet does (pure functions).
//
// The node agent runs inside the node's network namespace, so by default
// "the node namespace" is the calling process's; NodeConfig.NodeNetNS points
// elsewhere (the tests use this to play a node in a namespace of their own).
package network
