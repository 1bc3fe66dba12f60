package printers

import (
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNamespaceCells(t *testing.T) {
	ns := &corev1.Namespace{ObjectMeta: objMeta("kube-system", 400*24*time.Hour)}
	ns.Status.Phase = corev1.NamespaceTerminating
	checkCells(t, len(namespaceColumns), namespaceCells(ns, now), row{"kube-system", "Terminating", "400d"})
}

func TestNodeCells(t *testing.T) {
	ready := func(s corev1.ConditionStatus) []corev1.NodeCondition {
		return []corev1.NodeCondition{{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse}, {Type: corev1.NodeReady, Status: s}}
	}
	tests := []struct {
		name string
		node func(*corev1.Node)
		want row
	}{{
		name: "ready control plane",
		node: func(n *corev1.Node) {
			n.Labels = map[string]string{"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "node-1"}
			n.Status.Conditions = ready(corev1.ConditionTrue)
			n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "node-1"}, {Type: corev1.NodeInternalIP, Address: "172.18.0.2"}}
			n.Status.NodeInfo = corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Debian GNU/Linux 13 (trixie)", KernelVersion: "6.12.0", ContainerRuntimeVersion: "containerd://2.1.0"}
		},
		want: row{"node-1", "Ready", "control-plane", "5d", "v1.37.2", "172.18.0.2", "<none>", "Debian GNU/Linux 13 (trixie)", "6.12.0", "containerd://2.1.0"},
	}, {
		name: "not ready (unknown status) and cordoned, several roles",
		node: func(n *corev1.Node) {
			n.Labels = map[string]string{"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "ingress", "node-role.kubernetes.io/": "x"}
			n.Status.Conditions = ready(corev1.ConditionUnknown)
			n.Spec.Unschedulable = true
			n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "203.0.113.7"}}
		},
		want: row{"node-1", "NotReady,SchedulingDisabled", "ingress,worker", "5d", "", "<none>", "203.0.113.7", "<unknown>", "<unknown>", "<unknown>"},
	}, {
		name: "no ready condition yet",
		node: func(*corev1.Node) {},
		want: row{"node-1", "Unknown", "<none>", "5d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &corev1.Node{ObjectMeta: objMeta("node-1", 5*24*time.Hour)}
			n.Namespace = ""
			tc.node(n)
			checkCells(t, len(nodeColumns), nodeCells(n, now), tc.want)
		})
	}
}

func TestConfigMapCells(t *testing.T) {
	cm := &corev1.ConfigMap{ObjectMeta: objMeta("kube-root-ca.crt", 10*time.Minute),
		Data: map[string]string{"ca.crt": "x", "b": "y"}, BinaryData: map[string][]byte{"blob": {1}}}
	checkCells(t, len(configMapColumns), configMapCells(cm, now), row{"kube-root-ca.crt", int64(3), "10m"})
}

func TestSecretCells(t *testing.T) {
	s := &corev1.Secret{ObjectMeta: objMeta("tls", 10*time.Minute), Type: corev1.SecretTypeTLS,
		Data:       map[string][]byte{"tls.crt": {1}, "tls.key": {2}},
		StringData: map[string]string{"tls.key": "dup", "ca.crt": "new"}}
	checkCells(t, len(secretColumns), secretCells(s, now), row{"tls", "kubernetes.io/tls", int64(3), "10m"})

	empty := &corev1.Secret{ObjectMeta: objMeta("empty", 10*time.Minute), Type: corev1.SecretTypeOpaque}
	checkCells(t, len(secretColumns), secretCells(empty, now), row{"empty", "Opaque", int64(0), "10m"})
}

func TestServiceAccountCells(t *testing.T) {
	sa := &corev1.ServiceAccount{ObjectMeta: objMeta("default", 10*time.Minute),
		Secrets: []corev1.ObjectReference{{Name: "default-token-abc"}}}
	checkCells(t, len(serviceAccountColumns), serviceAccountCells(sa, now), row{"default", int64(1), "10m"})
}

func TestEventCells(t *testing.T) {
	tests := []struct {
		name string
		ev   func(*corev1.Event)
		want row
	}{{
		name: "classic event with count",
		ev: func(e *corev1.Event) {
			e.FirstTimestamp, e.LastTimestamp, e.Count = ago(10*time.Minute), ago(30*time.Second), 4
			e.Source = corev1.EventSource{Component: "kubelet", Host: "node-1"}
		},
		want: row{"30s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1", "Back-off restarting failed container", "10m", int64(4), "web.17f0a"},
	}, {
		name: "new-style singleton: eventTime, reporting controller, count 1",
		ev: func(e *corev1.Event) {
			e.EventTime = metav1.NewMicroTime(now.Add(-5 * time.Minute))
			e.ReportingController = "default-scheduler"
		},
		want: row{"5m", "Warning", "BackOff", "pod/web", "spec.containers{app}", "default-scheduler", "Back-off restarting failed container", "5m", int64(1), "web.17f0a"},
	}, {
		name: "series overrides last seen and count",
		ev: func(e *corev1.Event) {
			e.EventTime = metav1.NewMicroTime(now.Add(-time.Hour))
			e.Series = &corev1.EventSeries{Count: 12, LastObservedTime: metav1.NewMicroTime(now.Add(-20 * time.Second))}
			e.ReportingController, e.ReportingInstance = "kubelet", "node-2"
		},
		want: row{"20s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-2", "Back-off restarting failed container", "60m", int64(12), "web.17f0a"},
	}, {
		name: "no timestamps, object without a name",
		ev: func(e *corev1.Event) {
			e.InvolvedObject = corev1.ObjectReference{Kind: "Node"}
		},
		want: row{"<unknown>", "Warning", "BackOff", "node", "", "", "Back-off restarting failed container", "<unknown>", int64(1), "web.17f0a"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &corev1.Event{ObjectMeta: objMeta("web.17f0a", time.Hour), Type: "Warning", Reason: "BackOff",
				Message:        "  Back-off restarting failed container\n",
				InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "web", FieldPath: "spec.containers{app}"}}
			tc.ev(e)
			checkCells(t, len(eventColumns), eventCells(e, now), tc.want)
		})
	}
}

func TestLeaseCells(t *testing.T) {
	l := &coordinationv1.Lease{ObjectMeta: objMeta("kube-scheduler", time.Minute)}
	checkCells(t, len(leaseColumns), leaseCells(l, now), row{"kube-scheduler", "", "60s"})
	l.Spec.HolderIdentity = ptr("berth_7c1e")
	checkCells(t, len(leaseColumns), leaseCells(l, now), row{"kube-scheduler", "berth_7c1e", "60s"})
}
