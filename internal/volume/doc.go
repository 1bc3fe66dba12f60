// Package volume is the node half of the seed's storage picture: the
// mechanics behind PersistentVolumes on a node. It plans (pure functions:
// which PVs belong to this node, what a pod volume resolves to, subPathExpr
// expansion, mountinfo and loop-device parsing) and carries the thin shell
// that makes the plans real — directories for berth.dev/local-path, sparse
// ext4 files attached through loop devices and staged once per node for
// berth.dev/local-volume, online expansion, and recovery of what a previous
// agent left attached and mounted. The agent (internal/agent) drives it from
// its PV watcher and pod workers.
package volume
