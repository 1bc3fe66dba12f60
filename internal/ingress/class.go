package ingress

import (
	networkingv1 "k8s.io/api/networking/v1"
)

const (
	// ClassName is the IngressClass berth creates and serves.
	ClassName = "berth"
	// ControllerName is spec.controller of the berth IngressClass.
	ControllerName = "berth.dev/ingress"
	// AnnotationDefaultClass marks the cluster's default IngressClass.
	AnnotationDefaultClass = networkingv1.AnnotationIsDefaultIngressClass
	// annotationLegacyClass is the pre-IngressClass way to pick a controller.
	annotationLegacyClass = "kubernetes.io/ingress.class"
)

// ownClasses returns the names of the IngressClasses whose controller is
// berth's, and whether one of them is the cluster default (so Ingresses
// without a class are ours).
func ownClasses(classes []*networkingv1.IngressClass) (names map[string]bool, isDefault bool) {
	names = map[string]bool{}
	otherDefault := false
	for _, c := range classes {
		def := c.Annotations[AnnotationDefaultClass] == "true"
		if c.Spec.Controller == ControllerName {
			names[c.Name] = true
			isDefault = isDefault || def
		} else if def {
			otherDefault = true
		}
	}
	// Two default classes: Kubernetes' admission refuses class-less
	// Ingresses then; berth does not claim them either.
	return names, isDefault && !otherDefault
}

// IsOurs says whether berth serves this Ingress: its class is one of ours,
// or it names none and ours is the default class.
func IsOurs(ing *networkingv1.Ingress, classes []*networkingv1.IngressClass) bool {
	names, isDefault := ownClasses(classes)
	if ing.Spec.IngressClassName != nil {
		return names[*ing.Spec.IngressClassName]
	}
	if legacy, ok := ing.Annotations[annotationLegacyClass]; ok {
		return names[legacy] || legacy == ClassName
	}
	return isDefault
}
