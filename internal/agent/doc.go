// Package agent is berth's node agent — the kubelet's role in the seed's
// picture. It registers its Node, heartbeats a Lease, and for every pod bound
// to the node builds the pod's network namespace (a veth pair to the node
// bridge, an IP from the node's podCIDR), runs the pod's containers under
// runc inside that namespace so they share it and talk over localhost, keeps
// them running according to the pod's restartPolicy and probes, and reports
// status back through the API. It talks to the API server only through
// client-go.
package agent
