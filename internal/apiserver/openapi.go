package apiserver

import (
	"github.com/berth-project/berth/internal/api/openapi"
	"github.com/berth-project/berth/internal/api/scheme"
	apiopenapi "k8s.io/apiserver/pkg/endpoints/openapi"
	openapicommon "k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// openAPIConfigs builds the OpenAPI v2 and v3 configuration from the
// generated definitions. berth's namer hides the internal-version
// registrations from the published documents (Kubernetes never shows
// "__internal").
func openAPIConfigs() (*openapicommon.Config, *openapicommon.OpenAPIV3Config, error) {
	namer, err := openapi.NewDefinitionNamer(scheme.Scheme)
	if err != nil {
		return nil, nil, err
	}
	info := &spec.Info{InfoProps: spec.InfoProps{Title: "Kubernetes", Version: "v" + KubernetesVersion}}
	v2 := &openapicommon.Config{
		ProtocolList:          []string{"https"},
		IgnorePrefixes:        []string{},
		Info:                  info,
		DefaultResponse:       &spec.Response{ResponseProps: spec.ResponseProps{Description: "Default Response."}},
		GetOperationIDAndTags: apiopenapi.GetOperationIDAndTags,
		GetDefinitionName:     namer.GetDefinitionName,
		GetDefinitions:        openapi.GetOpenAPIDefinitions,
	}
	v3 := &openapicommon.OpenAPIV3Config{
		IgnorePrefixes:        []string{},
		Info:                  info,
		DefaultResponse:       &spec3.Response{ResponseProps: spec3.ResponseProps{Description: "Default Response."}},
		GetOperationIDAndTags: apiopenapi.GetOperationIDAndTags,
		GetDefinitionName:     namer.GetDefinitionName,
		GetDefinitions:        openapi.GetOpenAPIDefinitions,
	}
	v3.Definitions = openapi.GetOpenAPIDefinitions(func(name string) spec.Ref {
		defName, _ := namer.GetDefinitionName(name)
		return spec.MustCreateRef("#/components/schemas/" + openapicommon.EscapeJsonPointer(defName))
	})
	return v2, v3, nil
}
