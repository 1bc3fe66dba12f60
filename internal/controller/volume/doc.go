// Package volume is the parent of the server-side storage controllers: the
// part of the seed's picture where claims meet volumes. kube-controller-manager
// runs these loops in a real cluster (the persistentvolume binder, the
// pvc/pv-protection controllers, the expander, the ephemeral-volume
// controller) together with an external CSI provisioner; berth runs them in
// the server process, over loopback client-go like every other controller.
//
//   - storageutil: annotations, finalizers, driver names and small helpers
//     shared by the controllers and the scheduler.
//   - capacity: how much a node can still provision (pure).
//   - binder: binds claims to volumes, keeps phases, reclaims volumes.
//   - provisioner: creates PVs for the built-in berth.dev drivers.
//   - protection: removes the pvc-/pv-protection finalizers when safe.
//   - expand: grows bound volumes when their claim's request grows.
//   - ephemeral: creates the claims of generic ephemeral volumes.
//
// The node side (backing storage, mounts) lives in the agent; the contract
// between the two is in the README of internal/controller/volume.
package volume
