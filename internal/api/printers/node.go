package printers

import (
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var nodeInfoDoc = corev1.NodeSystemInfo{}.SwaggerDoc()

var nodeColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Status", typeString, "The status of the node"),
	column("Roles", typeString, "The roles of the node"),
	ageColumn,
	column("Version", typeString, nodeInfoDoc["kubeletVersion"]),
	wide("Internal-IP", typeString, corev1.NodeStatus{}.SwaggerDoc()["addresses"]),
	wide("External-IP", typeString, corev1.NodeStatus{}.SwaggerDoc()["addresses"]),
	wide("OS-Image", typeString, nodeInfoDoc["osImage"]),
	wide("Kernel-Version", typeString, nodeInfoDoc["kernelVersion"]),
	wide("Container-Runtime", typeString, nodeInfoDoc["containerRuntimeVersion"]),
}

// Labels that give a node its ROLES: "node-role.kubernetes.io/<role>" with
// any value, and the older "kubernetes.io/role=<role>".
const (
	nodeRolePrefix = "node-role.kubernetes.io/"
	nodeRoleLabel  = "kubernetes.io/role"
)

// nodeCells is one row of `kubectl get nodes -o wide`.
func nodeCells(node *corev1.Node, now time.Time) []interface{} {
	roles := strings.Join(nodeRoles(node), ",")
	info := node.Status.NodeInfo
	return []interface{}{
		node.Name,
		nodeStatus(node),
		orNone(roles),
		age(node.CreationTimestamp, now),
		info.KubeletVersion,
		orNone(nodeAddress(node, corev1.NodeInternalIP)),
		orNone(nodeAddress(node, corev1.NodeExternalIP)),
		orUnknown(info.OSImage),
		orUnknown(info.KernelVersion),
		orUnknown(info.ContainerRuntimeVersion),
	}
}

// nodeStatus is Ready or NotReady from the Ready condition (Unknown without
// one), plus SchedulingDisabled for a cordoned node.
func nodeStatus(node *corev1.Node) string {
	status := []string{"Unknown"}
	for _, c := range node.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		if c.Status == corev1.ConditionTrue {
			status = []string{"Ready"}
		} else {
			status = []string{"NotReady"}
		}
	}
	if node.Spec.Unschedulable {
		status = append(status, "SchedulingDisabled")
	}
	return strings.Join(status, ",")
}

// nodeRoles returns the node's roles, sorted and without duplicates.
func nodeRoles(node *corev1.Node) []string {
	set := map[string]bool{}
	for k, v := range node.Labels {
		switch {
		case strings.HasPrefix(k, nodeRolePrefix):
			if role := strings.TrimPrefix(k, nodeRolePrefix); role != "" {
				set[role] = true
			}
		case k == nodeRoleLabel && v != "":
			set[v] = true
		}
	}
	roles := make([]string, 0, len(set))
	for r := range set {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles
}

// nodeAddress returns the node's first address of the given type.
func nodeAddress(node *corev1.Node, t corev1.NodeAddressType) string {
	for _, a := range node.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return ""
}

// orUnknown prints an empty value as <unknown>.
func orUnknown(s string) string {
	if s == "" {
		return unknown
	}
	return s
}
