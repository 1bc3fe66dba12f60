package apiserver

import (
	"context"
	"fmt"
	"net"
	"sort"
	"testing"

	"github.com/berth-project/berth/internal/apiserver/allocator"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fakeIPs and fakePorts are in-memory ranges standing in for the etcd ones.
type fakeIPs struct {
	used map[string]bool
	next int
}

func (f *fakeIPs) Allocate(_ context.Context, ip net.IP) error {
	if !(&net.IPNet{IP: net.IPv4(10, 43, 0, 0), Mask: net.CIDRMask(16, 32)}).Contains(ip) {
		return allocator.ErrNotInRange
	}
	if f.used[ip.String()] {
		return allocator.ErrAllocated
	}
	f.used[ip.String()] = true
	return nil
}
func (f *fakeIPs) AllocateNext(_ context.Context) (net.IP, error) {
	for {
		f.next++
		ip := net.IPv4(10, 43, 200, byte(f.next)).To4()
		if !f.used[ip.String()] {
			f.used[ip.String()] = true
			return ip, nil
		}
	}
}
func (f *fakeIPs) Release(_ context.Context, ip net.IP) error {
	delete(f.used, ip.String())
	return nil
}

type fakePorts struct {
	used map[int]bool
	next int
}

func (f *fakePorts) Allocate(_ context.Context, p int) error {
	if p < 30000 || p > 32767 {
		return allocator.ErrNotInRange
	}
	if f.used[p] {
		return allocator.ErrAllocated
	}
	f.used[p] = true
	return nil
}
func (f *fakePorts) AllocateNext(_ context.Context) (int, error) {
	for {
		f.next++
		if p := 32000 + f.next; !f.used[p] {
			f.used[p] = true
			return p, nil
		}
	}
}
func (f *fakePorts) Release(_ context.Context, p int) error { delete(f.used, p); return nil }

func newFakeAllocation() (*serviceAllocation, *fakeIPs, *fakePorts) {
	ips, ports := &fakeIPs{used: map[string]bool{}}, &fakePorts{used: map[int]bool{}}
	return &serviceAllocation{ips: ips, ports: ports}, ips, ports
}

func svc(typ corev1.ServiceType, clusterIP string, nodePorts ...int32) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "default"},
		Spec: corev1.ServiceSpec{Type: typ, ClusterIP: clusterIP}}
	for i, np := range nodePorts {
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: int32(80 + i), Protocol: corev1.ProtocolTCP, NodePort: np})
	}
	if len(nodePorts) == 0 {
		s.Spec.Ports = []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}
	}
	return s
}

func usedPorts(p *fakePorts) []int {
	var out []int
	for k := range p.used {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func TestBeginCreateAllocates(t *testing.T) {
	tests := []struct {
		name       string
		svc        *corev1.Service
		wantIP     bool
		wantPorts  int
		wantErr    string
		preIPs     []string
		prePorts   []int
		wantHeadls bool
	}{
		{name: "clusterIP gets an address", svc: svc(corev1.ServiceTypeClusterIP, ""), wantIP: true},
		{name: "headless gets none", svc: svc(corev1.ServiceTypeClusterIP, "None"), wantHeadls: true},
		{name: "ExternalName gets none", svc: svc(corev1.ServiceTypeExternalName, "")},
		{name: "NodePort gets ports", svc: svc(corev1.ServiceTypeNodePort, "", 0, 0), wantIP: true, wantPorts: 2},
		{name: "chosen NodePort", svc: svc(corev1.ServiceTypeNodePort, "", 30080), wantIP: true, wantPorts: 1},
		{name: "taken NodePort", svc: svc(corev1.ServiceTypeNodePort, "", 30080), prePorts: []int{30080}, wantErr: "spec.ports[0].nodePort"},
		{name: "taken ClusterIP", svc: svc(corev1.ServiceTypeClusterIP, "10.43.0.50"), preIPs: []string{"10.43.0.50"}, wantErr: "spec.clusterIPs[0]"},
		{name: "out of range ClusterIP", svc: svc(corev1.ServiceTypeClusterIP, "10.99.0.1"), wantErr: "not in the valid range"},
		{name: "garbage ClusterIP", svc: svc(corev1.ServiceTypeClusterIP, "ten"), wantErr: "must be a valid IP address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ips, ports := newFakeAllocation()
			for _, ip := range tc.preIPs {
				ips.used[ip] = true
			}
			for _, p := range tc.prePorts {
				ports.used[p] = true
			}
			finish, err := a.beginCreate(context.Background(), tc.svc, &metav1.CreateOptions{})
			if tc.wantErr != "" {
				if err == nil || !apierrors.IsInvalid(err) || !contains(err.Error(), tc.wantErr) {
					t.Fatalf("want Invalid error containing %q, got %v", tc.wantErr, err)
				}
				if len(ips.used) != len(tc.preIPs) || len(ports.used) != len(tc.prePorts) {
					t.Fatalf("a failed create leaked allocations: %v %v", ips.used, ports.used)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			finish(context.Background(), true)
			if got := tc.svc.Spec.ClusterIP != "" && tc.svc.Spec.ClusterIP != "None"; got != tc.wantIP {
				t.Fatalf("clusterIP %q, want allocated=%v", tc.svc.Spec.ClusterIP, tc.wantIP)
			}
			if tc.wantHeadls && (tc.svc.Spec.ClusterIPs[0] != "None") {
				t.Fatalf("headless clusterIPs = %v", tc.svc.Spec.ClusterIPs)
			}
			if len(ports.used) != tc.wantPorts {
				t.Fatalf("ports used %v, want %d", usedPorts(ports), tc.wantPorts)
			}
		})
	}
}

func TestFailedWriteReleases(t *testing.T) {
	a, ips, ports := newFakeAllocation()
	s := svc(corev1.ServiceTypeNodePort, "", 0)
	finish, err := a.beginCreate(context.Background(), s, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	finish(context.Background(), false)
	if len(ips.used) != 0 || len(ports.used) != 0 {
		t.Fatalf("leaked after failed write: %v %v", ips.used, ports.used)
	}
}

func TestBeginUpdate(t *testing.T) {
	tests := []struct {
		name      string
		old, new  *corev1.Service
		wantPorts []int
		wantIP    string
	}{
		{
			name: "apply without allocated values keeps them",
			old:  svc(corev1.ServiceTypeNodePort, "10.43.200.1", 32001), new: svc(corev1.ServiceTypeNodePort, "", 0),
			wantPorts: []int{32001}, wantIP: "10.43.200.1",
		},
		{
			name: "NodePort to ClusterIP releases ports",
			old:  svc(corev1.ServiceTypeNodePort, "10.43.200.1", 32001), new: svc(corev1.ServiceTypeClusterIP, ""),
			wantPorts: nil, wantIP: "10.43.200.1",
		},
		{
			name: "ClusterIP to NodePort allocates",
			old:  svc(corev1.ServiceTypeClusterIP, "10.43.200.1"), new: svc(corev1.ServiceTypeNodePort, "10.43.200.1", 0),
			wantPorts: []int{32001}, wantIP: "10.43.200.1",
		},
		{
			name: "to ExternalName releases the address",
			old:  svc(corev1.ServiceTypeClusterIP, "10.43.200.1"), new: svc(corev1.ServiceTypeExternalName, ""),
			wantIP: "",
		},
		{
			name: "changing a NodePort swaps it",
			old:  svc(corev1.ServiceTypeNodePort, "10.43.200.1", 32001), new: svc(corev1.ServiceTypeNodePort, "", 30500),
			wantPorts: []int{30500}, wantIP: "10.43.200.1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ips, ports := newFakeAllocation()
			for _, ip := range heldIPs(tc.old) {
				ips.used[ip.String()] = true
			}
			for _, p := range heldPorts(tc.old) {
				ports.used[p] = true
			}
			finish, err := a.beginUpdate(context.Background(), tc.new, tc.old, &metav1.UpdateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			finish(context.Background(), true)
			if got := usedPorts(ports); fmt.Sprint(got) != fmt.Sprint(tc.wantPorts) && !(len(got) == 0 && len(tc.wantPorts) == 0) {
				t.Fatalf("ports in use %v, want %v", got, tc.wantPorts)
			}
			if tc.new.Spec.ClusterIP != tc.wantIP {
				t.Fatalf("clusterIP %q, want %q", tc.new.Spec.ClusterIP, tc.wantIP)
			}
			if tc.wantIP == "" && len(ips.used) != 0 {
				t.Fatalf("address not released: %v", ips.used)
			}
		})
	}
}

func TestAfterDeleteReleases(t *testing.T) {
	a, ips, ports := newFakeAllocation()
	s := svc(corev1.ServiceTypeNodePort, "", 0, 0)
	finish, err := a.beginCreate(context.Background(), s, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	finish(context.Background(), true)
	a.afterDelete(s, &metav1.DeleteOptions{})
	if len(ips.used) != 0 || len(ports.used) != 0 {
		t.Fatalf("delete left allocations: %v %v", ips.used, ports.used)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
