// Package runtime is the root of berth's container runtime: the part of the
// node that turns a pod's containers into real Linux processes.
//
// It implements this part of the picture: "each container runs from an image
// as an isolated process under runc; containers in a pod share the pod's
// network namespace and talk over localhost". The work is split into
// sub-packages, each with one job:
//
//   - image: a content-addressed image store (pull from registries, load
//     tarballs, unpack layers once, mount an overlayfs root filesystem per
//     container).
//   - oci: a pure function from a Kubernetes pod/container (plus the
//     node-side paths the caller prepared) to an OCI runtime spec.
//   - runc: a wrapper around the runc binary that runs containers detached,
//     writes their output as kubelet-format (CRI) log files and keeps their
//     exit codes across restarts of the agent.
package runtime
