package printers

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var leaseColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Holder", typeString, coordinationv1.LeaseSpec{}.SwaggerDoc()["holderIdentity"]),
	ageColumn,
}

// leaseCells is one row of `kubectl get leases`: who holds the lease
// (empty when nobody does).
func leaseCells(l *coordinationv1.Lease, now time.Time) []interface{} {
	return []interface{}{l.Name, derefOr(l.Spec.HolderIdentity, ""), age(l.CreationTimestamp, now)}
}
