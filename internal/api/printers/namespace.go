package printers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var namespaceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Status", typeString, "The status of the namespace"),
	ageColumn,
}

// namespaceCells is one row of `kubectl get namespaces`: Active or
// Terminating.
func namespaceCells(ns *corev1.Namespace, now time.Time) []interface{} {
	return []interface{}{ns.Name, string(ns.Status.Phase), age(ns.CreationTimestamp, now)}
}
