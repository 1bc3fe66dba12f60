// Package ipam hands out pod IP addresses from one node's podCIDR.
//
// In the seed's picture — "each pod has its own network namespace and IP; a
// veth pair joins it to the node's bridge; pods on the node reach each other
// by pod IP" — this package owns the "and IP" part: every pod sandbox on the
// node gets exactly one address from the node's podCIDR, no two live
// sandboxes ever share one, and an address is only reused after its owner is
// released.
//
// The network address, the gateway (the first usable address, which belongs
// to the node's bridge) and the broadcast address are never handed out.
//
// State lives on disk, one file per allocated address (named after the
// address, holding the owner's sandbox ID), written with write+fsync+rename
// so that a crash at any point leaves either the old or the new state, never
// a torn one. Every operation holds an exclusive flock on the state directory,
// so several Allocators — in one process or in several — can share it safely.
package ipam
