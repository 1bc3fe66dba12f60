package scheme

import (
	"reflect"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

// Scheme knows every type berth serves.
var Scheme = runtime.NewScheme()

// Codecs encodes and decodes those types in every supported media type.
var Codecs = serializer.NewCodecFactory(Scheme)

// ParameterCodec converts URL query parameters into option structs.
var ParameterCodec = runtime.NewParameterCodec(Scheme)

// GroupVersions are the external group versions berth serves, core first.
var GroupVersions = []schema.GroupVersion{
	corev1.SchemeGroupVersion,
	appsv1.SchemeGroupVersion,
	autoscalingv1.SchemeGroupVersion,
	discoveryv1.SchemeGroupVersion,
	storagev1.SchemeGroupVersion,
	networkingv1.SchemeGroupVersion,
	coordinationv1.SchemeGroupVersion,
	policyv1.SchemeGroupVersion,
	authenticationv1.SchemeGroupVersion,
}

// Defaulter is set by the API server before serving (to break an import cycle
// with the defaults package in tests); it mutates an object in place.
type Defaulter func(obj runtime.Object)

func init() {
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv1.AddToScheme,
		discoveryv1.AddToScheme, storagev1.AddToScheme, networkingv1.AddToScheme,
		coordinationv1.AddToScheme, policyv1.AddToScheme, authenticationv1.AddToScheme,
	} {
		if err := add(Scheme); err != nil {
			panic(err)
		}
	}
	for _, gv := range GroupVersions {
		registerAsInternal(gv)
	}
	// The generic server decodes common option types (ListOptions, DeleteOptions,
	// …) from the unversioned "v1" group version, and writes Status and
	// discovery documents without a group.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	Scheme.AddUnversionedTypes(schema.GroupVersion{Version: "v1"},
		&metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{},
		&metav1.APIGroup{}, &metav1.APIResourceList{},
	)
}

// registerAsInternal registers every k8s.io/api type of gv a second time under
// gv's internal version, making the external type its own hub.
func registerAsInternal(gv schema.GroupVersion) {
	internal := schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal}
	for kind, t := range Scheme.KnownTypes(gv) {
		if !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
			continue // meta types (ListOptions, WatchEvent, …) have their own internal forms
		}
		Scheme.AddKnownTypeWithName(internal.WithKind(kind), reflect.New(t).Interface().(runtime.Object))
	}
}

// RegisterDefaulter installs fn as the defaulting function of every served
// k8s.io/api type, so decoding a request or a stored value applies it.
func RegisterDefaulter(fn Defaulter) {
	for _, gv := range GroupVersions {
		for _, t := range Scheme.KnownTypes(gv) {
			if !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
				continue
			}
			Scheme.AddTypeDefaultingFunc(reflect.New(t).Interface().(runtime.Object), func(obj interface{}) {
				if o, ok := obj.(runtime.Object); ok {
					fn(o)
				}
			})
		}
	}
}
