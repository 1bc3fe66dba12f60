// Package cluster implements `berth cluster create|delete|list`: a whole
// multi-node berth cluster on one machine, each node a network namespace.
//
// kind runs nodes as containers on docker's bridge; berth runs them as
// network namespaces on a bridge of its own, in the network namespace the
// command runs in (for a user, the host):
//
//	current netns                         berth-NAME-node0 (server)
//	┌──────────────────────────────┐      ┌─────────────────────────────┐
//	│ bth-<hash> 172.28.X.1/24     │      │ eth0 172.28.X.10/24         │
//	│   ├─ bth<hash>-0 ────────────┼─veth─┼─ default via 172.28.X.1     │
//	│   └─ bth<hash>-1 ──────┐     │      │ ip_forward=1, berth server  │
//	└────────────────────────┼─────┘      └─────────────────────────────┘
//	                         └──────veth── berth-NAME-node1 (agent) …
//
// Every node runs in its network namespace and in a mount namespace of its
// own that is pinned by a bind mount (STATE/nodes/nodeI/mntns), so mounts
// made by the node's agent never show up outside and outlive an agent
// restart. Everything the cluster owns is recorded in STATE/cluster.json
// (STATE = /var/lib/berth/clusters/NAME) or derivable from the cluster's name,
// so Delete also cleans up after a create that was killed half-way.
//
// Pure logic — names, the underlay subnet choice, the state file, mountinfo
// filtering, kubeconfig context removal — lives in functions with table
// tests that need no root.
package cluster
