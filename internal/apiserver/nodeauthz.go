package apiserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-project/berth/internal/pki"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// podNodeFunc finds the node a pod is bound to; found is false when the
// pod does not exist.
type podNodeFunc func(ctx context.Context, namespace, name string) (node string, found bool, err error)

// nodeAuthorizer is Kubernetes' node authorizer (with the NodeRestriction
// rules folded in) for requests of node identities — user
// system:node:<name> in group system:nodes, what an agent's client
// certificate says. A node may read what it needs to run pods (pods,
// services, endpoints, nodes, configmaps, secrets, volumes' claims), write
// its own Node, Node status and Lease, the status of pods bound to it and
// delete them, and record events; nothing else. Other users get no
// opinion here.
type nodeAuthorizer struct {
	podNode podNodeFunc
	// volumeNode finds the node a provisioned PV lives on (same shape).
	volumeNode podNodeFunc
}

// nodeName returns the node a user is, if it is a node.
func nodeName(groups []string, user string) (string, bool) {
	name, ok := strings.CutPrefix(user, pki.NodeUserPrefix)
	if !ok || name == "" || !slices.Contains(groups, pki.NodesGroup) {
		return "", false
	}
	return name, true
}

func (z nodeAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	u := a.GetUser()
	if u == nil {
		return authorizer.DecisionNoOpinion, "", nil
	}
	node, ok := nodeName(u.GetGroups(), u.GetName())
	if !ok {
		return authorizer.DecisionNoOpinion, "", nil
	}
	return nodeDecision(ctx, a, node, z.podNode, z.volumeNode)
}

// nodesOrAllow decides node requests by the node authorizer and allows
// every other authenticated user everything (admin, loopback).
type nodesOrAllow struct{ nodes nodeAuthorizer }

func (z nodesOrAllow) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	d, reason, err := z.nodes.Authorize(ctx, a)
	if d == authorizer.DecisionNoOpinion && err == nil {
		return authorizer.DecisionAllow, "", nil
	}
	return d, reason, err
}

// lbLeasePrefix starts the names of lbannounce's Leases.
const lbLeasePrefix = "berth-lb-"

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"update", "patch"}
	// what a node reads to run pods, serve Services and DNS, and watch
	// the other nodes (group/resource)
	nodeReadable = []string{
		"/pods", "/services", "/endpoints", "/nodes", "/configmaps", "/secrets",
		"/persistentvolumeclaims", "/persistentvolumes", "/namespaces", "/serviceaccounts",
		"discovery.k8s.io/endpointslices", "storage.k8s.io/storageclasses", "storage.k8s.io/csidrivers",
		"node.k8s.io/runtimeclasses",
		// the node's ingress proxy routes by them
		"networking.k8s.io/ingresses", "networking.k8s.io/ingressclasses",
	}
)

// nodeDecision is the pure decision table; node is the requesting node.
func nodeDecision(ctx context.Context, a authorizer.Attributes, node string, podNode, volumeNode podNodeFunc) (authorizer.Decision, string, error) {
	verb := a.GetVerb()
	if !a.IsResourceRequest() {
		// discovery, OpenAPI, version, health: read only
		if verb == "get" {
			return authorizer.DecisionAllow, "", nil
		}
		return authorizer.DecisionDeny, "", nil
	}
	gr := a.GetAPIGroup() + "/" + a.GetResource()
	sub, name := a.GetSubresource(), a.GetName()
	read := slices.Contains(readVerbs, verb)
	write := slices.Contains(writeVerbs, verb)
	switch {
	case gr == "/nodes" && sub == "":
		switch {
		case read:
			return allow()
		case verb == "create":
			// the name is in the body, not the request; a node registers
			// itself under its own name (NodeRestriction checks it in
			// Kubernetes; here the name of its later writes must match)
			return allow()
		case write || verb == "delete":
			return ownNode(node, name)
		}
	case gr == "/nodes" && sub == "status":
		if read || write {
			return ownNode(node, name)
		}
	case gr == "coordination.k8s.io/leases" && sub == "" && a.GetNamespace() == corev1.NamespaceNodeLease:
		if verb == "create" {
			return allow()
		}
		if read || write || verb == "delete" {
			return ownNode(node, name)
		}
	case gr == "coordination.k8s.io/leases" && sub == "" && a.GetNamespace() == metav1.NamespaceSystem:
		// the per-address Leases by which nodes decide who announces a
		// LoadBalancer address (internal/lbannounce: berth-lb-<ip>)
		if verb == "create" || ((read || write || verb == "delete") && strings.HasPrefix(name, lbLeasePrefix)) {
			return allow()
		}
	case gr == "/pods" && sub == "" && verb == "delete", gr == "/pods" && sub == "status" && (write || verb == "get"):
		return boundPod(ctx, a, node, podNode)
	case gr == "/persistentvolumes" && sub == "" && write:
		// the node's storage releases berth.dev/node-storage once the
		// backing storage of a PV provisioned on it is gone
		return ownVolume(ctx, a, node, volumeNode)
	case gr == "/persistentvolumeclaims" && sub == "status" && (write || verb == "get"):
		// local volumes report their capacity on the claim (Kubernetes
		// lets nodes update the status of claims their pods use)
		return allow()
	case (gr == "/events" || gr == "events.k8s.io/events") && sub == "":
		if verb == "create" || write {
			return allow()
		}
	case gr == "/serviceaccounts" && sub == "token" && verb == "create":
		// tokens for its pods' projected volumes; Kubernetes checks the
		// bound pod in admission
		return allow()
	case sub == "" && read && slices.Contains(nodeReadable, gr):
		return allow()
	}
	// like RBAC finding no rule: the Forbidden message says who cannot do what
	return authorizer.DecisionDeny, "", nil
}

func allow() (authorizer.Decision, string, error) { return authorizer.DecisionAllow, "", nil }

// ownNode allows writes to the node's own objects only.
func ownNode(node, name string) (authorizer.Decision, string, error) {
	if name == node {
		return allow()
	}
	return authorizer.DecisionDeny, fmt.Sprintf("node '%s' cannot modify node '%s'", node, name), nil
}

// ownVolume allows a write to a provisioned PV that lives on the node.
func ownVolume(ctx context.Context, a authorizer.Attributes, node string, volumeNode podNodeFunc) (authorizer.Decision, string, error) {
	if volumeNode == nil || a.GetName() == "" {
		return authorizer.DecisionDeny, "", nil
	}
	on, found, err := volumeNode(ctx, "", a.GetName())
	if err != nil {
		return authorizer.DecisionDeny, "", err
	}
	if !found || on == node {
		return allow()
	}
	return authorizer.DecisionDeny, fmt.Sprintf("node '%s' can only modify volumes provisioned on it", node), nil
}

// boundPod allows a write to a pod bound to the node. A pod that does not
// exist is let through: the request then fails as NotFound, as the agent
// expects when a pod it is cleaning up is already gone.
func boundPod(ctx context.Context, a authorizer.Attributes, node string, podNode podNodeFunc) (authorizer.Decision, string, error) {
	if podNode == nil || a.GetName() == "" {
		return authorizer.DecisionDeny, "", nil
	}
	bound, found, err := podNode(ctx, a.GetNamespace(), a.GetName())
	if err != nil {
		return authorizer.DecisionDeny, "", err
	}
	if !found || bound == node {
		return allow()
	}
	return authorizer.DecisionDeny, fmt.Sprintf("node '%s' can only modify pods bound to it; pod %s/%s is bound to %q", node, a.GetNamespace(), a.GetName(), bound), nil
}
