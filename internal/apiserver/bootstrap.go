package apiserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/berth-project/berth/internal/ingress"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// The namespaces every Kubernetes cluster has.
var systemNamespaces = []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease}

// FirstServiceIP is the address of the `kubernetes` Service: the first
// usable address of the service CIDR.
func FirstServiceIP(cidr *net.IPNet) net.IP {
	ip := make(net.IP, len(cidr.IP.To4()))
	copy(ip, cidr.IP.To4())
	ip[len(ip)-1]++
	return ip
}

// Bootstrap makes the objects a cluster always has: the system namespaces
// and the `kubernetes` Service pointing at this API server. It keeps them
// there (recreating the namespaces if deleted), like kube-apiserver's
// system-namespaces and bootstrap-controller.
func (s *Server) Bootstrap(ctx context.Context, client kubernetes.Interface) error {
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := s.ensureSystemObjects(ctx, client); err != nil {
			slog.Debug("bootstrap not yet done", "err", err)
			return false, nil
		}
		// Created once per server start, not kept: a user may delete them.
		if err := ensureStorageClasses(ctx, client); err != nil {
			slog.Debug("bootstrap storage classes not yet done", "err", err)
			return false, nil
		}
		return true, nil
	}); err != nil {
		return fmt.Errorf("bootstrapping system objects: %w", err)
	}
	go wait.UntilWithContext(ctx, func(ctx context.Context) {
		if err := s.ensureSystemObjects(ctx, client); err != nil {
			slog.Warn("system objects", "err", err)
		}
	}, time.Minute)
	return nil
}

func (s *Server) ensureSystemObjects(ctx context.Context, client kubernetes.Interface) error {
	for _, ns := range systemNamespaces {
		_, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	if err := s.ensureKubernetesService(ctx, client); err != nil {
		return err
	}
	// The default IngressClass and the LoadBalancer Service in front of
	// the nodes' ingress proxies.
	return ingress.EnsureBootstrapObjects(ctx, client)
}

// ensureKubernetesService creates default/kubernetes (ClusterIP = first
// service address, port 443 → the API server) with its Endpoints and
// EndpointSlice, so in-cluster clients find the API.
func (s *Server) ensureKubernetesService(ctx context.Context, client kubernetes.Interface) error {
	if s.cfg.ServiceCIDR == nil {
		return nil
	}
	port := int32(s.cfg.Port)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec: corev1.ServiceSpec{
			ClusterIP: FirstServiceIP(s.cfg.ServiceCIDR).String(),
			Ports:     []corev1.ServicePort{{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(port)}},
			Type:      corev1.ServiceTypeClusterIP,
		},
	}
	if _, err := client.CoreV1().Services(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{}); apierrors.IsNotFound(err) {
		if _, err := client.CoreV1().Services(metav1.NamespaceDefault).Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	} else if err != nil {
		return err
	}
	addr := s.cfg.AdvertiseAddress
	if addr == nil || addr.IsLoopback() || addr.IsUnspecified() {
		// Endpoints may not point at loopback (pods could not reach it);
		// a server advertised on loopback has a Service without endpoints.
		return nil
	}
	ep := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
		Subsets: []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: addr.String()}},
			Ports:     []corev1.EndpointPort{{Name: "https", Port: port, Protocol: corev1.ProtocolTCP}},
		}},
	}
	if cur, err := client.CoreV1().Endpoints(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{}); err == nil {
		ep.ResourceVersion = cur.ResourceVersion
		if _, err := client.CoreV1().Endpoints(metav1.NamespaceDefault).Update(ctx, ep, metav1.UpdateOptions{}); err != nil {
			return err
		}
	} else if _, err := client.CoreV1().Endpoints(metav1.NamespaceDefault).Create(ctx, ep, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	ready := true
	name, proto := "https", corev1.ProtocolTCP
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault,
			Labels: map[string]string{discoveryv1.LabelServiceName: "kubernetes", discoveryv1.LabelManagedBy: "berth-apiserver"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{addr.String()}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
		Ports:       []discoveryv1.EndpointPort{{Name: &name, Port: &port, Protocol: &proto}},
	}
	if cur, err := client.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{}); err == nil {
		slice.ResourceVersion = cur.ResourceVersion
		_, err = client.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault).Update(ctx, slice, metav1.UpdateOptions{})
		return err
	}
	_, err := client.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault).Create(ctx, slice, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
