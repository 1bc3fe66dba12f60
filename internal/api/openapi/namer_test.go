package openapi

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiopenapi "k8s.io/apiserver/pkg/endpoints/openapi"
	clientscheme "k8s.io/client-go/kubernetes/scheme"

	berthscheme "github.com/berth-project/berth/internal/api/scheme"
)

func TestIndexKinds(t *testing.T) {
	pod := "io.k8s.api.core.v1.Pod"
	opts := "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
	event := "io.k8s.apimachinery.pkg.apis.meta.v1.InternalEvent"
	gvk := func(g, v, k string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: g, Version: v, Kind: k}
	}
	tests := []struct {
		name  string
		kinds []namedKind
		want  map[string][]schema.GroupVersionKind
	}{
		{"internal version is dropped", []namedKind{
			{pod, gvk("", runtime.APIVersionInternal, "Pod")}, {pod, gvk("", "v1", "Pod")},
		}, map[string][]schema.GroupVersionKind{pod: {gvk("", "v1", "Pod")}}},
		{"internal version dropped whatever the registration order", []namedKind{
			{pod, gvk("", "v1", "Pod")}, {pod, gvk("", runtime.APIVersionInternal, "Pod")},
		}, map[string][]schema.GroupVersionKind{pod: {gvk("", "v1", "Pod")}}},
		{"a type only registered internally keeps it, as upstream", []namedKind{
			{event, gvk("apps", runtime.APIVersionInternal, "WatchEvent")},
			{event, gvk("", runtime.APIVersionInternal, "WatchEvent")},
		}, map[string][]schema.GroupVersionKind{event: {
			gvk("", runtime.APIVersionInternal, "WatchEvent"), gvk("apps", runtime.APIVersionInternal, "WatchEvent"),
		}}},
		{"repeats from several schemes collapse", []namedKind{
			{pod, gvk("", "v1", "Pod")}, {pod, gvk("", "v1", "Pod")},
		}, map[string][]schema.GroupVersionKind{pod: {gvk("", "v1", "Pod")}}},
		{"sorted by group then version then kind", []namedKind{
			{opts, gvk("policy", "v1", "DeleteOptions")}, {opts, gvk("apps", "v1", "DeleteOptions")},
			{opts, gvk("", "v1", "DeleteOptions")}, {opts, gvk("apps", "v1beta1", "DeleteOptions")},
		}, map[string][]schema.GroupVersionKind{opts: {
			gvk("", "v1", "DeleteOptions"), gvk("apps", "v1", "DeleteOptions"),
			gvk("apps", "v1beta1", "DeleteOptions"), gvk("policy", "v1", "DeleteOptions"),
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := indexKinds(tc.kinds); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("indexKinds = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNamerOmitsInternalVersion(t *testing.T) {
	namer, err := NewDefinitionNamer(berthscheme.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	name, ext := namer.GetDefinitionName(corev1.Pod{}.OpenAPIModelName())
	if name != "io.k8s.api.core.v1.Pod" {
		t.Errorf("name = %q", name)
	}
	want := []any{map[string]any{"group": "", "version": "v1", "kind": "Pod"}}
	if got := ext[gvkExtension]; !reflect.DeepEqual(got, want) {
		t.Errorf("Pod GVKs = %#v, want %#v", got, want)
	}
	if _, ext := namer.GetDefinitionName(corev1.PodSpec{}.OpenAPIModelName()); ext != nil {
		t.Errorf("PodSpec is no kind but got extensions %v", ext)
	}
}

// On a scheme without internal registrations the namer must agree with the
// upstream one exactly, so swapping it in changes nothing else.
func TestNamerMatchesUpstreamOnExternalScheme(t *testing.T) {
	ours, err := NewDefinitionNamer(clientscheme.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	upstream := apiopenapi.NewDefinitionNamer(clientscheme.Scheme)
	defs, _ := definitions(t)
	for model := range defs {
		gotName, gotExt := ours.GetDefinitionName(model)
		wantName, wantExt := upstream.GetDefinitionName(model)
		if gotName != wantName || !reflect.DeepEqual(gotExt, wantExt) {
			t.Errorf("%s: ours (%s, %v), upstream (%s, %v)", model, gotName, gotExt, wantName, wantExt)
		}
	}
	// DeleteOptions is registered in every group: a long, sorted list.
	_, ext := ours.GetDefinitionName(metav1.DeleteOptions{}.OpenAPIModelName())
	if list, _ := ext[gvkExtension].([]any); len(list) < 9 {
		t.Errorf("DeleteOptions lists %d GVKs, want one per group", len(list))
	}
}
