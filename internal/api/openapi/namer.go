package openapi

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// gvkExtension is the vendor extension that ties a definition to the kinds
// it serves; kubectl and the server-side apply type converter look kinds up
// through it.
const gvkExtension = "x-kubernetes-group-version-kind"

// DefinitionNamer names definitions like the one in
// k8s.io/apiserver/pkg/endpoints/openapi and tags each with its
// x-kubernetes-group-version-kind list, but leaves out the internal version
// of served kinds.
//
// berth registers every v1 Go type a second time under
// runtime.APIVersionInternal (see internal/api/scheme). Kubernetes' internal
// types are different Go types with their own names, so its namer never
// attaches an internal GVK to a served definition; with berth's scheme the
// upstream namer would publish {"version":"__internal"} next to every kind
// in /openapi/v2 and /openapi/v3. This namer keeps the documents as real
// Kubernetes serves them.
type DefinitionNamer struct {
	gvks map[string][]schema.GroupVersionKind
}

// NewDefinitionNamer indexes every external kind the schemes know by its
// OpenAPI definition name. It fails, rather than exiting as the upstream
// namer does, when a kind has no definition name.
func NewDefinitionNamer(schemes ...*runtime.Scheme) (*DefinitionNamer, error) {
	var kinds []namedKind
	for _, s := range schemes {
		for gvk := range s.AllKnownTypes() {
			name, err := s.ToOpenAPIDefinitionName(gvk)
			if err != nil {
				return nil, fmt.Errorf("OpenAPI definition name of %v: %w", gvk, err)
			}
			kinds = append(kinds, namedKind{name: name, gvk: gvk})
		}
	}
	return &DefinitionNamer{gvks: indexKinds(kinds)}, nil
}

// GetDefinitionName keeps the model name and returns the GVK extension of
// the kinds served by it, or nil for a type that is no kind. Its signature
// fits common.Config.GetDefinitionName, common.OpenAPIV3Config's, and
// NameFunc.
func (d *DefinitionNamer) GetDefinitionName(name string) (string, spec.Extensions) {
	gvks, ok := d.gvks[name]
	if !ok {
		return name, nil
	}
	list := make([]any, 0, len(gvks))
	for _, gvk := range gvks {
		list = append(list, map[string]any{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind})
	}
	return name, spec.Extensions{gvkExtension: list}
}

// namedKind is one registered kind with the definition name of its Go type.
type namedKind struct {
	name string
	gvk  schema.GroupVersionKind
}

// indexKinds groups kinds by definition name, drops repeats and sorts each
// list by group, version, kind as Kubernetes does so the documents are
// stable. Internal versions are dropped from a definition that also serves an
// external version: that is berth's double registration. A type registered
// only internally keeps its entry, as upstream does for metav1.InternalEvent.
func indexKinds(kinds []namedKind) map[string][]schema.GroupVersionKind {
	external := map[string]bool{}
	for _, k := range kinds {
		if k.gvk.Version != runtime.APIVersionInternal {
			external[k.name] = true
		}
	}
	index := map[string][]schema.GroupVersionKind{}
	seen := map[namedKind]bool{}
	for _, k := range kinds {
		if seen[k] || (k.gvk.Version == runtime.APIVersionInternal && external[k.name]) {
			continue
		}
		seen[k] = true
		index[k.name] = append(index[k.name], k.gvk)
	}
	for _, gvks := range index {
		sort.Slice(gvks, func(i, j int) bool {
			a, b := gvks[i], gvks[j]
			if a.Group != b.Group {
				return a.Group < b.Group
			}
			if a.Version != b.Version {
				return a.Version < b.Version
			}
			return a.Kind < b.Kind
		})
	}
	return index
}
