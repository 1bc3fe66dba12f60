package ingress

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// ServiceNamespace/ServiceName name the LoadBalancer Service in front of
// every node's ingress proxy; its address is what Ingress status shows.
const (
	ServiceNamespace = metav1.NamespaceSystem
	ServiceName      = "berth-ingress"
	// ManagedBy is the endpointslice.kubernetes.io/managed-by value of the
	// Service's EndpointSlice (the controller, not the selector-based one).
	ManagedBy = "berth-ingress-controller"
)

// EnsureBootstrapObjects creates, when absent, the IngressClass berth (the
// default class) and the selectorless LoadBalancer Service
// kube-system/berth-ingress. Existing objects are left as they are, so an
// administrator may change them (e.g. drop the default-class annotation).
func EnsureBootstrapObjects(ctx context.Context, client kubernetes.Interface) error {
	class := &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: ClassName, Annotations: map[string]string{AnnotationDefaultClass: "true"}},
		Spec:       networkingv1.IngressClassSpec{Controller: ControllerName},
	}
	if _, err := client.NetworkingV1().IngressClasses().Create(ctx, class, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: ServiceName, Namespace: ServiceNamespace,
			Labels: map[string]string{"app.kubernetes.io/name": "berth-ingress", "app.kubernetes.io/component": "controller"}},
		Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeLoadBalancer,
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("http")},
				{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("https")},
			},
		},
	}
	if _, err := client.CoreV1().Services(ServiceNamespace).Get(ctx, ServiceName, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		if _, err := client.CoreV1().Services(ServiceNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	} else if err != nil {
		return err
	}
	return nil
}
