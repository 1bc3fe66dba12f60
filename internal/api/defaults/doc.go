// Package defaults fills in the fields a Kubernetes API server sets when a
// client leaves them out, on the v1 types of k8s.io/api that berth stores
// directly.
//
// Kubernetes spreads this work over three places: the generated defaulters of
// each group version (pkg/apis/*/v1/defaults.go), the v1-to-internal
// conversions (Secret.stringData merged into data, Pod.spec.serviceAccount
// mirrored into serviceAccountName) and a few admission plugins and
// registry strategies whose output clients rely on (the Priority plugin's
// spec.priority, a new Namespace's "kubernetes" finalizer, a Service's
// ipFamilyPolicy/ipFamilies). berth has no internal types, so all of it lives
// here, behind one entry point: Default.
//
// The networking and storage picture this serves: Services get their type,
// port protocols, target ports, traffic policies and IP families so the
// service proxy and endpoint controllers can act on them; workloads get their
// rollout strategies and pod-template defaults so controllers create
// identical Pods; PersistentVolumes, claims and StorageClasses get reclaim,
// binding and volume modes so the volume binder can match them.
//
// Default runs on every decode (request bodies and etcd values), so each rule
// only fills a field that is empty and never undoes a value a user or a
// controller set.
package defaults
