// Package server composes `berth server`: the control plane of the seed's
// picture. It starts etcd (embedded or external), the Kubernetes API server,
// and the controllers that turn declared objects into the cluster's desired
// state; the node agent for its own node joins unless disabled.
package server
