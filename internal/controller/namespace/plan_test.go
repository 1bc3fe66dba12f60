package namespace

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	pods        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	configmaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secrets     = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	fakePods    = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "pods"}
)

func TestDeletionPhases(t *testing.T) {
	tests := []struct {
		name string
		in   []schema.GroupVersionResource
		want [][]schema.GroupVersionResource
	}{
		{"none", nil, nil},
		{"pods go first", []schema.GroupVersionResource{configmaps, pods, deployments},
			[][]schema.GroupVersionResource{{pods}, {configmaps, deployments}}},
		{"no pods served", []schema.GroupVersionResource{secrets, configmaps},
			[][]schema.GroupVersionResource{{secrets, configmaps}}},
		{"only pods", []schema.GroupVersionResource{pods}, [][]schema.GroupVersionResource{{pods}}},
		{"pods of another group are not core pods", []schema.GroupVersionResource{fakePods, pods},
			[][]schema.GroupVersionResource{{pods}, {fakePods}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deletionPhases(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNeedsFinalizing(t *testing.T) {
	now := metav1.Now()
	mk := func(deleting bool, fins ...corev1.FinalizerName) *corev1.Namespace {
		ns := &corev1.Namespace{Spec: corev1.NamespaceSpec{Finalizers: fins}}
		if deleting {
			ns.DeletionTimestamp = &now
		}
		return ns
	}
	tests := []struct {
		name string
		ns   *corev1.Namespace
		want bool
	}{
		{"active", mk(false, corev1.FinalizerKubernetes), false},
		{"terminating with our finalizer", mk(true, "example.com/x", corev1.FinalizerKubernetes), true},
		{"terminating, already finalized", mk(true), false},
		{"terminating, only someone else's finalizer", mk(true, "example.com/x"), false},
	}
	for _, tt := range tests {
		if got := needsFinalizing(tt.ns); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWithoutKubernetesFinalizer(t *testing.T) {
	got := withoutKubernetesFinalizer([]corev1.FinalizerName{"a", corev1.FinalizerKubernetes, "b"})
	if !reflect.DeepEqual(got, []corev1.FinalizerName{"a", "b"}) {
		t.Errorf("got %v", got)
	}
	if got := withoutKubernetesFinalizer([]corev1.FinalizerName{corev1.FinalizerKubernetes}); len(got) != 0 {
		t.Errorf("got %v", got)
	}
}
