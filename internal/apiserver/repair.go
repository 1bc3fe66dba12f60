package apiserver

import (
	"context"
	"fmt"
	"net"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// RepairServiceRanges makes the ClusterIP and NodePort ranges in etcd equal
// to what the stored Services hold: after a crash between allocating and
// storing, an address may be marked taken with no Service owning it. Run at
// start-up, before anything else writes Services.
func (s *Server) RepairServiceRanges(ctx context.Context, client kubernetes.Interface) error {
	if s.services == nil {
		return nil
	}
	list, err := client.CoreV1().Services(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing services for repair: %w", err)
	}
	var ips []net.IP
	var ports []int
	for i := range list.Items {
		ips = append(ips, heldIPs(&list.Items[i])...)
		ports = append(ports, heldPorts(&list.Items[i])...)
	}
	var inRange []net.IP
	for _, ip := range ips {
		if s.cfg.ServiceCIDR.Contains(ip) {
			inRange = append(inRange, ip)
		}
	}
	if err := s.services.ipRepair.Repair(ctx, inRange); err != nil {
		return fmt.Errorf("repairing ClusterIP range: %w", err)
	}
	var portsInRange []int
	for _, p := range ports {
		if p >= s.cfg.NodePortBase && p < s.cfg.NodePortBase+s.cfg.NodePortSize {
			portsInRange = append(portsInRange, p)
		}
	}
	if err := s.services.portRepair.Repair(ctx, portsInRange); err != nil {
		return fmt.Errorf("repairing NodePort range: %w", err)
	}
	return nil
}
