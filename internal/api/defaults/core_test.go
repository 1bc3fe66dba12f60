package defaults

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDefaultNamespace(t *testing.T) {
	cases := []struct {
		name           string
		ns             corev1.Namespace
		wantFinalizers []corev1.FinalizerName
	}{
		{"new namespace gets kubernetes finalizer", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}, []corev1.FinalizerName{"kubernetes"}},
		{"existing finalizer kept once", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"kubernetes"}}}, []corev1.FinalizerName{"kubernetes"}},
		{"stored namespace whose finalizer was removed stays finalized", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team", CreationTimestamp: metav1.Now()}}, nil},
		{"namespace being deleted gets none", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team", DeletionTimestamp: ptrTo(metav1.Now())}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := c.ns.DeepCopy()
			Default(ns)
			if !reflect.DeepEqual(ns.Spec.Finalizers, c.wantFinalizers) {
				t.Errorf("finalizers = %v, want %v", ns.Spec.Finalizers, c.wantFinalizers)
			}
			if ns.Labels["kubernetes.io/metadata.name"] != "team" {
				t.Errorf("name label missing: %v", ns.Labels)
			}
			if ns.Status.Phase != corev1.NamespaceActive {
				t.Errorf("phase = %q", ns.Status.Phase)
			}
		})
	}
}

func TestDefaultSecret(t *testing.T) {
	s := &corev1.Secret{Data: map[string][]byte{"a": []byte("old"), "b": []byte("keep")}, StringData: map[string]string{"a": "new"}}
	Default(s)
	if s.Type != corev1.SecretTypeOpaque {
		t.Errorf("type = %q", s.Type)
	}
	if string(s.Data["a"]) != "new" || string(s.Data["b"]) != "keep" || s.StringData != nil {
		t.Errorf("stringData not merged: data=%v stringData=%v", s.Data, s.StringData)
	}
}

func TestDefaultNodeAllocatable(t *testing.T) {
	n := &corev1.Node{Status: corev1.NodeStatus{Capacity: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}}
	Default(n)
	if n.Status.Allocatable.Cpu().String() != "2" {
		t.Errorf("allocatable = %v", n.Status.Allocatable)
	}
}

func TestDefaultStorage(t *testing.T) {
	pv := &corev1.PersistentVolume{Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/x"}}}}
	Default(pv)
	if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain || *pv.Spec.VolumeMode != corev1.PersistentVolumeFilesystem || pv.Status.Phase != corev1.VolumePending || *pv.Spec.HostPath.Type != "" {
		t.Errorf("pv not defaulted: %+v", pv)
	}
	pvc := &corev1.PersistentVolumeClaim{}
	Default(pvc)
	if *pvc.Spec.VolumeMode != corev1.PersistentVolumeFilesystem || pvc.Status.Phase != corev1.ClaimPending {
		t.Errorf("pvc not defaulted: %+v", pvc)
	}
	sc := &storagev1.StorageClass{}
	Default(sc)
	if *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete || *sc.VolumeBindingMode != storagev1.VolumeBindingImmediate {
		t.Errorf("storageclass not defaulted: %+v", sc)
	}
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	sc2 := &storagev1.StorageClass{VolumeBindingMode: &wffc}
	Default(sc2)
	if *sc2.VolumeBindingMode != wffc {
		t.Errorf("explicit binding mode overwritten")
	}
}

func TestDefaultDiscoveryAndNetworking(t *testing.T) {
	es := &discoveryv1.EndpointSlice{Ports: []discoveryv1.EndpointPort{{}}}
	Default(es)
	if es.Ports[0].Name == nil || *es.Ports[0].Name != "" || *es.Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("endpointslice port not defaulted: %+v", es.Ports[0])
	}
	ep := &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{Ports: []corev1.EndpointPort{{Port: 80}}}}}
	Default(ep)
	if ep.Subsets[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("endpoints port protocol not defaulted")
	}
	ic := &networkingv1.IngressClass{Spec: networkingv1.IngressClassSpec{Parameters: &networkingv1.IngressClassParametersReference{Kind: "K", Name: "n"}}}
	Default(ic)
	if *ic.Spec.Parameters.Scope != "Cluster" {
		t.Errorf("ingressclass scope = %v", ic.Spec.Parameters.Scope)
	}
	// Ingress pathType is required, never defaulted.
	ing := &networkingv1.Ingress{Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/"}}}}}}}}
	Default(ing)
	if ing.Spec.Rules[0].HTTP.Paths[0].PathType != nil {
		t.Errorf("ingress pathType was defaulted")
	}
}
