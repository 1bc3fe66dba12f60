package openapi

import (
	"reflect"
	"sort"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// modelNamer is what every k8s.io/api and apimachinery type implements; the
// generated map is keyed by it, so the tests name types through Go values
// rather than hand-written strings.
type modelNamer interface{ OpenAPIModelName() string }

// definitions returns the generated map, recording every name a schema
// asked the ref callback for.
func definitions(t *testing.T) (map[string]common.OpenAPIDefinition, []string) {
	t.Helper()
	var refs []string
	defs := GetOpenAPIDefinitions(func(name string) spec.Ref {
		refs = append(refs, name)
		return spec.MustCreateRef("#/definitions/" + common.EscapeJsonPointer(name))
	})
	return defs, refs
}

func TestServedKindsHaveDefinitions(t *testing.T) {
	defs, _ := definitions(t)
	for _, obj := range []modelNamer{
		corev1.Pod{}, corev1.PodList{}, corev1.Service{}, corev1.ConfigMap{}, corev1.Secret{},
		corev1.Namespace{}, corev1.Node{}, corev1.PersistentVolume{}, corev1.PersistentVolumeClaim{},
		corev1.Endpoints{}, corev1.Event{}, corev1.ServiceAccount{}, corev1.PodTemplate{},
		appsv1.Deployment{}, appsv1.ReplicaSet{}, appsv1.StatefulSet{}, appsv1.DaemonSet{},
		autoscalingv1.Scale{}, autoscalingv1.HorizontalPodAutoscaler{},
		discoveryv1.EndpointSlice{}, storagev1.StorageClass{}, storagev1.CSIDriver{},
		networkingv1.Ingress{}, networkingv1.NetworkPolicy{}, networkingv1.IngressClass{},
		coordinationv1.Lease{}, policyv1.PodDisruptionBudget{}, policyv1.Eviction{},
		authenticationv1.TokenReview{}, authenticationv1.TokenRequest{},
		metav1.ObjectMeta{}, metav1.ListMeta{}, metav1.Status{}, metav1.DeleteOptions{},
		metav1.WatchEvent{}, metav1.APIResourceList{}, metav1.ManagedFieldsEntry{},
		version.Info{},
	} {
		name := obj.OpenAPIModelName()
		t.Run(name, func(t *testing.T) {
			def, ok := defs[name]
			if !ok {
				t.Fatalf("no definition for %s", name)
			}
			if len(def.Schema.Type) == 0 || def.Schema.Type[0] != "object" || len(def.Schema.Properties) == 0 {
				t.Errorf("%s: want an object schema with properties, got type %v with %d properties",
					name, def.Schema.Type, len(def.Schema.Properties))
			}
		})
	}
}

// The types below marshal to a scalar, not to their Go struct; openapi-gen
// must take their schema from the OpenAPISchemaType/Format methods (the
// hand-written definitions of Kubernetes), or clients would send objects.
func TestCustomSchemaTypes(t *testing.T) {
	defs, _ := definitions(t)
	tests := []struct {
		obj        modelNamer
		wantType   []string
		wantFormat string
		wantOneOf  []string // OpenAPI v3 alternatives, nil if none
	}{
		{intstr.IntOrString{}, []string{"string"}, "int-or-string", []string{"integer", "string"}},
		{resource.Quantity{}, []string{"string"}, "", []string{"string", "number"}},
		{metav1.Time{}, []string{"string"}, "date-time", nil},
		{metav1.MicroTime{}, []string{"string"}, "date-time", nil},
		{metav1.Duration{}, []string{"string"}, "", nil},
		{runtime.RawExtension{}, []string{"object"}, "", nil},
		{metav1.FieldsV1{}, []string{"object"}, "", nil},
	}
	for _, tc := range tests {
		name := tc.obj.OpenAPIModelName()
		t.Run(name, func(t *testing.T) {
			def, ok := defs[name]
			if !ok {
				t.Fatalf("no definition for %s", name)
			}
			v2 := def.Schema
			if tc.wantOneOf != nil {
				// v3 schema on top, v2 schema embedded as an extension.
				var got []string
				for _, alt := range def.Schema.OneOf {
					got = append(got, alt.Type...)
				}
				if !reflect.DeepEqual(got, tc.wantOneOf) {
					t.Errorf("oneOf types = %v, want %v", got, tc.wantOneOf)
				}
				embedded, ok := def.Schema.Extensions[common.ExtensionV2Schema].(spec.Schema)
				if !ok {
					t.Fatalf("no embedded v2 schema in %v", def.Schema.Extensions)
				}
				v2 = embedded
			}
			if !reflect.DeepEqual([]string(v2.Type), tc.wantType) || v2.Format != tc.wantFormat {
				t.Errorf("type/format = %v/%q, want %v/%q", v2.Type, v2.Format, tc.wantType, tc.wantFormat)
			}
			if len(v2.Properties) != 0 {
				t.Errorf("scalar type exposes struct fields: %v", v2.Properties)
			}
		})
	}
}

// Server-side apply merges lists by these extensions and strategic merge
// patch by the patch ones; losing them would make apply replace whole lists.
func TestListAndPatchExtensionsKept(t *testing.T) {
	defs, _ := definitions(t)
	tests := []struct {
		obj   modelNamer
		field string
		want  map[string]any
	}{
		{corev1.PodSpec{}, "containers", map[string]any{
			"x-kubernetes-list-type":       "map",
			"x-kubernetes-list-map-keys":   []any{"name"},
			"x-kubernetes-patch-merge-key": "name",
			"x-kubernetes-patch-strategy":  "merge",
		}},
		{corev1.Container{}, "ports", map[string]any{
			"x-kubernetes-list-type":       "map",
			"x-kubernetes-list-map-keys":   []any{"containerPort", "protocol"},
			"x-kubernetes-patch-merge-key": "containerPort",
			"x-kubernetes-patch-strategy":  "merge",
		}},
		{corev1.ServiceSpec{}, "ports", map[string]any{
			"x-kubernetes-list-type":     "map",
			"x-kubernetes-list-map-keys": []any{"port", "protocol"},
		}},
		{corev1.Container{}, "args", map[string]any{"x-kubernetes-list-type": "atomic"}},
		{metav1.ObjectMeta{}, "finalizers", map[string]any{
			"x-kubernetes-list-type":      "set",
			"x-kubernetes-patch-strategy": "merge",
		}},
		{metav1.ObjectMeta{}, "ownerReferences", map[string]any{
			"x-kubernetes-list-type":       "map",
			"x-kubernetes-list-map-keys":   []any{"uid"},
			"x-kubernetes-patch-merge-key": "uid",
		}},
		{appsv1.DeploymentStatus{}, "conditions", map[string]any{
			"x-kubernetes-list-type":       "map",
			"x-kubernetes-list-map-keys":   []any{"type"},
			"x-kubernetes-patch-merge-key": "type",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.obj.OpenAPIModelName()+"."+tc.field, func(t *testing.T) {
			prop, ok := defs[tc.obj.OpenAPIModelName()].Schema.Properties[tc.field]
			if !ok {
				t.Fatalf("no property %q", tc.field)
			}
			for key, want := range tc.want {
				got := prop.Extensions[key]
				if s, ok := got.([]string); ok { // the generator writes []interface{}, accept both
					got = toAny(s)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", key, got, want)
				}
			}
		})
	}
}

// Every ref a schema makes, and every dependency a definition declares,
// must name a definition in the same map; a dangling one makes the OpenAPI
// builder fail at server start.
func TestEveryReferenceResolves(t *testing.T) {
	defs, refs := definitions(t)
	if len(refs) == 0 {
		t.Fatal("no schema used the ref callback")
	}
	missing := map[string]bool{}
	for _, r := range refs {
		if _, ok := defs[r]; !ok {
			missing[r] = true
		}
	}
	for name, def := range defs {
		for _, dep := range def.Dependencies {
			if _, ok := defs[dep]; !ok {
				missing[dep+" (dependency of "+name+")"] = true
			}
		}
	}
	if len(missing) > 0 {
		var names []string
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("unresolved references: %v", names)
	}
}

// Walking from the served kinds reaches the shared meta types: they are
// what kubectl and server-side apply need beyond the kind itself.
func TestClosureFromPodReachesSharedTypes(t *testing.T) {
	defs, _ := definitions(t)
	reached := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		if reached[name] {
			return
		}
		reached[name] = true
		for _, dep := range defs[name].Dependencies {
			walk(dep)
		}
	}
	walk(corev1.Pod{}.OpenAPIModelName())
	for _, want := range []modelNamer{
		metav1.ObjectMeta{}, metav1.Time{}, metav1.ManagedFieldsEntry{}, metav1.FieldsV1{},
		corev1.Container{}, resource.Quantity{}, intstr.IntOrString{},
	} {
		if !reached[want.OpenAPIModelName()] {
			t.Errorf("Pod does not reach %s", want.OpenAPIModelName())
		}
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
