// Package openapi holds the OpenAPI definitions of every API type berth
// serves, and helpers that turn them into the component schemas the API
// server needs.
//
// In Kubernetes the API types carry no schema at run time: openapi-gen
// (k8s.io/kube-openapi) reads the Go types of k8s.io/api and
// k8s.io/apimachinery and writes a Go function returning one
// common.OpenAPIDefinition per type. berth does the same:
// zz_generated.openapi.go is produced by hack/update-openapi.sh from the
// core, apps, autoscaling, discovery, storage, networking, coordination,
// policy and authentication v1 groups plus the shared meta/v1, runtime,
// intstr, resource and version packages. The generated schemas keep the
// x-kubernetes-list-type, x-kubernetes-list-map-keys,
// x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key extensions,
// because server-side apply (structured-merge-diff) and strategic merge
// patch decide how lists and maps merge from them.
//
// Definitions are keyed by their OpenAPI model name, e.g.
// "io.k8s.api.core.v1.Pod", which is the name kubectl, client-go and the
// /openapi/v2 and /openapi/v3 documents use.
//
// Schemas builds the OpenAPI v3 component schemas (definition name ->
// *spec.Schema) from which the API server's field manager builds its
// managedfields.TypeConverter; NewTypeConverter does both steps.
// DefinitionNamer tags kinds with x-kubernetes-group-version-kind like the
// k8s.io/apiserver namer, minus the internal version berth's scheme adds.
package openapi
