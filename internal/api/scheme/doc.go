// Package scheme holds the one runtime.Scheme of berth: the k8s.io/api types of
// every group the API server serves, and the codecs that put them on the wire
// (JSON, YAML, protobuf) and into etcd.
//
// Kubernetes keeps "internal" versions of its types and converts every request
// into them. berth does not: the v1 types from k8s.io/api are the hub. Each
// served type is registered a second time under the group's internal version
// (runtime.APIVersionInternal), so that k8s.io/apiserver's generic handlers,
// which always convert to the internal version, find the same Go type and
// convert by copying. Defaulting is registered on the scheme so it runs when a
// request body or an etcd value is decoded, exactly where Kubernetes runs it.
package scheme
