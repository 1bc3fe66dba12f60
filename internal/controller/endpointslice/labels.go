package endpointslice

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// ControllerName is the endpointslice.kubernetes.io/managed-by value of the
// slices this controller owns, the same as kube-controller-manager's.
const ControllerName = "endpointslice-controller.k8s.io"

// reservedLabel reports the labels the controller sets itself; a Service's
// own labels of these names are not copied.
func reservedLabel(k string) bool {
	return k == discoveryv1.LabelServiceName || k == discoveryv1.LabelManagedBy || k == corev1.IsHeadlessService
}

// sliceLabels are the labels of every slice of svc: the Service's labels,
// the service name, managed-by, and service.kubernetes.io/headless for a
// Service without a cluster IP.
func sliceLabels(svc *corev1.Service) map[string]string {
	out := make(map[string]string, len(svc.Labels)+3)
	for k, v := range svc.Labels {
		if !reservedLabel(k) {
			out[k] = v
		}
	}
	if headless(svc) {
		out[corev1.IsHeadlessService] = ""
	}
	out[discoveryv1.LabelServiceName] = svc.Name
	out[discoveryv1.LabelManagedBy] = ControllerName
	return out
}

// slicePrefix is the generateName of the slices of a Service: "<svc>-", or
// just the name where the dash would make it too long.
func slicePrefix(name string) string {
	p := name + "-"
	// generateName adds 5 characters.
	if len(p)+5 > validation.DNS1123SubdomainMaxLength {
		return name
	}
	return p
}

// serviceOwnerRef makes svc the controlling owner of a slice, so the
// garbage collector removes the slice with the Service.
func serviceOwnerRef(svc *corev1.Service) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{
		APIVersion:         "v1",
		Kind:               "Service",
		Name:               svc.Name,
		UID:                svc.UID,
		Controller:         &yes,
		BlockOwnerDeletion: &yes,
	}
}

// ownedBy reports whether slice belongs to this incarnation of svc (a
// Service deleted and created again has a new UID).
func ownedBy(slice *discoveryv1.EndpointSlice, svc *corev1.Service) bool {
	for _, o := range slice.OwnerReferences {
		if o.UID == svc.UID && o.Kind == "Service" && o.APIVersion == "v1" {
			return true
		}
	}
	return false
}

// newSlice is an empty slice of svc for one address type and port set.
func newSlice(svc *corev1.Service, t discoveryv1.AddressType, ports []discoveryv1.EndpointPort) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       svc.Namespace,
			GenerateName:    slicePrefix(svc.Name),
			Labels:          sliceLabels(svc),
			OwnerReferences: []metav1.OwnerReference{serviceOwnerRef(svc)},
		},
		AddressType: t,
		Ports:       ports,
		Endpoints:   []discoveryv1.Endpoint{},
	}
}

// labelsMatch reports whether a slice already has the labels it should.
func labelsMatch(slice *discoveryv1.EndpointSlice, want map[string]string) bool {
	return maps.Equal(slice.Labels, want)
}
