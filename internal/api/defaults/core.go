package defaults

import (
	corev1 "k8s.io/api/core/v1"
)

// defaultNamespace labels a namespace with its own name (so selectors can
// pick namespaces by name), marks it Active, and gives a namespace that is
// being created the "kubernetes" finalizer that makes the namespace
// controller empty it before it goes away.
//
// Kubernetes adds that finalizer only on create, because the namespace
// controller removes it over the object's life. Default also runs when
// stored objects and updates are decoded, so the finalizer is only added to
// objects that were never stored (no creationTimestamp) and are not being
// deleted.
func defaultNamespace(ns *corev1.Namespace) {
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[corev1.LabelMetadataName] = ns.Name
	}
	if ns.Status.Phase == "" {
		ns.Status.Phase = corev1.NamespaceActive
	}
	if ns.CreationTimestamp.IsZero() && ns.DeletionTimestamp == nil && !hasFinalizer(ns.Spec.Finalizers, corev1.FinalizerKubernetes) {
		ns.Spec.Finalizers = append(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
	}
}

func hasFinalizer(list []corev1.FinalizerName, f corev1.FinalizerName) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// defaultNode makes allocatable equal capacity when a node reports only
// capacity.
func defaultNode(n *corev1.Node) {
	roundUpResourceList(n.Status.Capacity)
	roundUpResourceList(n.Status.Allocatable)
	if n.Status.Allocatable == nil && n.Status.Capacity != nil {
		n.Status.Allocatable = n.Status.Capacity.DeepCopy()
	}
}

// defaultSecret makes the type Opaque and folds stringData into data, as
// the v1 conversion does: stringData is write-only convenience, its keys win
// over data's, and it is never stored.
func defaultSecret(s *corev1.Secret) {
	if s.Type == "" {
		s.Type = corev1.SecretTypeOpaque
	}
	if len(s.StringData) > 0 {
		if s.Data == nil {
			s.Data = make(map[string][]byte, len(s.StringData))
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
	}
	s.StringData = nil
}

func defaultConfigMap(cm *corev1.ConfigMap) {
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
}

func defaultEndpoints(ep *corev1.Endpoints) {
	for i := range ep.Subsets {
		for j := range ep.Subsets[i].Ports {
			if ep.Subsets[i].Ports[j].Protocol == "" {
				ep.Subsets[i].Ports[j].Protocol = corev1.ProtocolTCP
			}
		}
	}
}
