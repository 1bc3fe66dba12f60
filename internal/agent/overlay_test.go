package agent

import (
	"net"
	"strings"
	"testing"

	"github.com/berth-project/berth/internal/network"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestOverlayConfig(t *testing.T) {
	_, podCIDR, _ := net.ParseCIDR("10.42.1.0/24")
	a := &Agent{cfg: Config{NodeName: "n1", NodeIP: net.ParseIP("172.28.0.11"), PodNetwork: "host-gw"}.withDefaults()}
	got, err := a.overlayConfig(podCIDR)
	if err != nil || got.Mode != network.ModeHostGW || got.NodeIP.String() != "172.28.0.11" || got.PodCIDR.String() != "10.42.1.0/24" || got.ClusterCIDR.String() != "10.42.0.0/16" {
		t.Fatalf("got %+v, %v", got, err)
	}
	a.cfg.PodNetwork = ""
	if got, _ := a.overlayConfig(podCIDR); got.Mode != network.ModeVXLAN {
		t.Fatalf("default mode %q", got.Mode)
	}
	a.cfg.NodeIP = nil
	if _, err := a.overlayConfig(podCIDR); err == nil || !strings.Contains(err.Error(), "--node-ip") {
		t.Fatalf("no node IP: %v", err)
	}
	if _, err := New(Config{PodNetwork: "geneve"}, "v"); err == nil || !strings.Contains(err.Error(), "geneve") {
		t.Fatalf("New with a bad mode: %v", err)
	}
}

func TestOverlayNodeChanged(t *testing.T) {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Spec: corev1.NodeSpec{PodCIDR: "10.42.1.0/24"},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "172.28.0.11"}}}}
	heartbeat := n.DeepCopy()
	heartbeat.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	moved := n.DeepCopy()
	moved.Status.Addresses[0].Address = "172.28.0.21"
	for _, c := range []struct {
		name string
		cur  *corev1.Node
		want bool
	}{{"heartbeat only", heartbeat, false}, {"address changed", moved, true}} {
		poked := false
		overlayNodeChanged(n, c.cur, func() { poked = true })
		if poked != c.want {
			t.Errorf("%s: poked=%v", c.name, poked)
		}
	}
}
