package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/managedfields"
	apiopenapi "k8s.io/apiserver/pkg/endpoints/openapi"
	clientscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	berthscheme "github.com/berth-project/berth/internal/api/scheme"
)

func TestRootNames(t *testing.T) {
	defs := map[string]common.OpenAPIDefinition{"c": {}, "a": {}, "b": {}}
	tests := []struct {
		name  string
		roots []string
		want  []string
	}{
		{"no roots means every definition, sorted", nil, []string{"a", "b", "c"}},
		{"roots keep their order", []string{"c", "a"}, []string{"c", "a"}},
		{"repeats are dropped", []string{"b", "a", "b", "a"}, []string{"b", "a"}},
		{"unknown roots are passed on for the builder to reject", []string{"x"}, []string{"x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rootNames(defs, tc.roots); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rootNames(%v) = %v, want %v", tc.roots, got, tc.want)
			}
		})
	}
}

// refsIn collects every "$ref" in a schema by walking its JSON form, which
// covers properties, items, additionalProperties and allOf alike.
func refsIn(t *testing.T, s *spec.Schema) []string {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var refs []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					if s, ok := x.(string); ok {
						refs = append(refs, s)
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return refs
}

func TestSchemasFromRootsAreClosed(t *testing.T) {
	namer := apiopenapi.NewDefinitionNamer(clientscheme.Scheme)
	roots := []string{
		corev1.Pod{}.OpenAPIModelName(), corev1.Service{}.OpenAPIModelName(),
		appsv1.Deployment{}.OpenAPIModelName(), storagev1.StorageClass{}.OpenAPIModelName(),
	}
	schemas, err := Schemas(namer.GetDefinitionName, roots...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append(roots, metav1.ObjectMeta{}.OpenAPIModelName(),
		intstr.IntOrString{}.OpenAPIModelName(), resource.Quantity{}.OpenAPIModelName()) {
		if schemas[want] == nil {
			t.Errorf("no component schema %s", want)
		}
	}
	if _, ok := schemas[corev1.Namespace{}.OpenAPIModelName()]; ok {
		t.Errorf("Namespace is not reachable from the roots but was built")
	}
	for name, s := range schemas {
		for _, ref := range refsIn(t, s) {
			target, ok := strings.CutPrefix(ref, "#/components/schemas/")
			if !ok {
				t.Errorf("%s: ref %q is not a component ref", name, ref)
				continue
			}
			if schemas[target] == nil {
				t.Errorf("%s: ref %q does not resolve", name, ref)
			}
		}
	}
	// The namer tags each kind with its GVK; managedfields finds kinds by it.
	gvks, _ := schemas[corev1.Pod{}.OpenAPIModelName()].Extensions["x-kubernetes-group-version-kind"].([]any)
	if len(gvks) != 1 || !reflect.DeepEqual(gvks[0], map[string]any{"group": "", "version": "v1", "kind": "Pod"}) {
		t.Errorf("Pod GVK extension = %#v", gvks)
	}
}

func TestSchemasRejectsUnknownRoot(t *testing.T) {
	if _, err := Schemas(nil, "io.k8s.api.nothing.v1.Missing"); err == nil {
		t.Fatal("Schemas accepted a root with no definition")
	}
}

func TestSchemasWithoutNamerKeepsModelNames(t *testing.T) {
	schemas, err := Schemas(nil)
	if err != nil {
		t.Fatal(err)
	}
	defs, _ := definitions(t)
	if len(schemas) != len(defs) {
		t.Errorf("built %d schemas from %d definitions", len(schemas), len(defs))
	}
	pod := schemas[corev1.Pod{}.OpenAPIModelName()]
	if pod == nil {
		t.Fatal("no Pod schema")
	}
	if _, ok := pod.Extensions["x-kubernetes-group-version-kind"]; ok {
		t.Errorf("nil namer added a GVK extension")
	}
	// The v2 copy embedded for custom types is dropped from v3 components.
	if _, ok := schemas[intstr.IntOrString{}.OpenAPIModelName()].Extensions[common.ExtensionV2Schema]; ok {
		t.Errorf("v2 schema extension leaked into v3 components")
	}
}

// typeConverters builds a converter from the client-go scheme (the
// reference set of k8s.io/api kinds) and from berth's own scheme, which also
// registers each type under the internal version, named both by the upstream
// namer and by this package's.
func typeConverters(t *testing.T) map[string]managedfields.TypeConverter {
	t.Helper()
	ours, err := NewDefinitionNamer(berthscheme.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]managedfields.TypeConverter{}
	for name, namer := range map[string]NameFunc{
		"client-go":       apiopenapi.NewDefinitionNamer(clientscheme.Scheme).GetDefinitionName,
		"berth-upstream":  apiopenapi.NewDefinitionNamer(berthscheme.Scheme).GetDefinitionName,
		"berth-own-namer": ours.GetDefinitionName,
	} {
		tc, err := NewTypeConverter(namer)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = tc
	}
	return out
}

func TestTypeConverterTypesServedObjects(t *testing.T) {
	replicas := int32(2)
	surge := intstr.FromString("25%")
	objects := []struct {
		name string
		obj  runtime.Object
		// wantPaths are field-set fragments; keyed list elements ([k=v]) prove
		// that lists merge by their x-kubernetes-list-map-keys.
		wantPaths []string
	}{
		{"pod", &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "nginx", Image: "nginx",
				Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"),
				}},
			}}},
		}, []string{`.spec.containers[name="nginx"].image`, `.ports[containerPort=80,protocol="TCP"].containerPort`, `.resources.requests.cpu`}},
		{"service", &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{
				Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080),
			}}},
		}, []string{`.spec.ports[port=80,protocol="TCP"].targetPort`}},
		{"deployment", &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
				Strategy: appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge}},
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "x"}}}},
			},
		}, []string{`.spec.template.spec.containers[name="app"].image`, `.spec.strategy.rollingUpdate.maxSurge`}},
		{"storageclass", &storagev1.StorageClass{
			TypeMeta:    metav1.TypeMeta{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass"},
			ObjectMeta:  metav1.ObjectMeta{Name: "local"},
			Provisioner: "berth.io/local",
		}, []string{`.provisioner`}},
	}
	for scheme, tc := range typeConverters(t) {
		for _, o := range objects {
			t.Run(scheme+"/"+o.name, func(t *testing.T) {
				typed, err := tc.ObjectToTyped(o.obj)
				if err != nil {
					t.Fatalf("ObjectToTyped: %v", err)
				}
				set, err := typed.ToFieldSet()
				if err != nil {
					t.Fatalf("ToFieldSet: %v", err)
				}
				var b strings.Builder
				set.Iterate(func(p fieldpath.Path) { b.WriteString(p.String() + "\n") })
				for _, want := range o.wantPaths {
					if !strings.Contains(b.String(), want) {
						t.Errorf("field set lacks %s:\n%s", want, b.String())
					}
				}
			})
		}
	}
}

// Built-in kinds do not preserve unknown fields: apply must reject them.
func TestTypeConverterRejectsUnknownFields(t *testing.T) {
	for scheme, tc := range typeConverters(t) {
		t.Run(scheme, func(t *testing.T) {
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": "c"},
				"bogus":    "x",
			}}
			if _, err := tc.ObjectToTyped(u); err == nil {
				t.Fatal("unknown field accepted")
			}
			u.Object["data"] = map[string]any{"k": "v"}
			delete(u.Object, "bogus")
			if _, err := tc.ObjectToTyped(u); err != nil {
				t.Fatalf("valid ConfigMap rejected: %v", err)
			}
		})
	}
}
