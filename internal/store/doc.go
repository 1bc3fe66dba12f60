// Package store runs the etcd that holds the cluster's state: an embedded
// single-member etcd under the server's data directory by default, or the
// endpoints of an external etcd cluster. Everything in the seed's picture —
// pods and their IPs, Services and their virtual IPs, volumes and claims —
// lives here as Kubernetes objects written by the API server.
package store
