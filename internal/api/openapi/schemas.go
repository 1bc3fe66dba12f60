package openapi

import (
	"fmt"
	"log/slog"
	"sort"

	"k8s.io/apimachinery/pkg/util/managedfields"
	builder3 "k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// NameFunc maps a definition's model name (e.g. "io.k8s.api.core.v1.Pod") to
// the name it gets in the document and the extensions to add to it. The
// API server passes (*k8s.io/apiserver/pkg/endpoints/openapi.DefinitionNamer).
// GetDefinitionName, which adds x-kubernetes-group-version-kind: the type
// converter of server-side apply finds a kind's schema only through that
// extension. It is the same type as common.OpenAPIV3Config.GetDefinitionName.
type NameFunc = func(name string) (string, spec.Extensions)

// Schemas returns the OpenAPI v3 component schemas, keyed by definition name,
// of the given root model names and every definition they reference, exactly
// as the generic API server builds them for its field manager. With no roots
// it builds every generated definition. A nil name keeps model names and
// adds no extensions.
func Schemas(name NameFunc, roots ...string) (map[string]*spec.Schema, error) {
	if name == nil {
		name = identityName
	}
	config := &common.OpenAPIV3Config{
		GetDefinitions:    GetOpenAPIDefinitions,
		GetDefinitionName: name,
	}
	// Resolve refs the way DefaultOpenAPIV3Config does, so a ref and the
	// component it points at always carry the same (possibly renamed) name.
	config.Definitions = GetOpenAPIDefinitions(func(model string) spec.Ref {
		defName, _ := name(model)
		return spec.MustCreateRef("#/components/schemas/" + common.EscapeJsonPointer(defName))
	})
	names := rootNames(config.Definitions, roots)
	schemas, err := builder3.BuildOpenAPIDefinitionsForResources(config, names...)
	if err != nil {
		return nil, fmt.Errorf("build OpenAPI schemas: %w", err)
	}
	slog.Debug("built OpenAPI component schemas", "roots", len(names), "schemas", len(schemas))
	return schemas, nil
}

// NewTypeConverter builds the server-side apply type converter from the
// schemas of every generated definition. Pass the same name function the
// API server uses so that kinds resolve through their GVK extensions.
func NewTypeConverter(name NameFunc) (managedfields.TypeConverter, error) {
	schemas, err := Schemas(name)
	if err != nil {
		return nil, err
	}
	// preserveUnknownFields=false: built-in types reject fields their schema
	// does not declare, as in Kubernetes.
	tc, err := managedfields.NewTypeConverter(schemas, false)
	if err != nil {
		return nil, fmt.Errorf("build type converter: %w", err)
	}
	return tc, nil
}

// rootNames decides which definitions to build: the requested roots in the
// order given without repeats, or, when none are requested, every known
// definition in sorted order so the result is deterministic.
func rootNames(defs map[string]common.OpenAPIDefinition, roots []string) []string {
	if len(roots) == 0 {
		names := make([]string, 0, len(defs))
		for n := range defs {
			names = append(names, n)
		}
		sort.Strings(names)
		return names
	}
	seen := make(map[string]bool, len(roots))
	names := make([]string, 0, len(roots))
	for _, n := range roots {
		if seen[n] {
			continue
		}
		seen[n] = true
		names = append(names, n)
	}
	return names
}

func identityName(name string) (string, spec.Extensions) { return name, nil }
