package apiserver

import (
	"context"
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

func TestNodeAuthorizer(t *testing.T) {
	pods := map[string]string{"default/mine": "n1", "default/theirs": "n2"}
	podNode := func(_ context.Context, ns, name string) (string, bool, error) {
		n, ok := pods[ns+"/"+name]
		return n, ok, nil
	}
	pvs := map[string]string{"pvc-mine": "n1", "pvc-theirs": "n2", "static": ""}
	volumeNode := func(_ context.Context, _, name string) (string, bool, error) {
		n, ok := pvs[name]
		return n, ok, nil
	}
	z := nodesOrAllow{nodeAuthorizer{podNode: podNode, volumeNode: volumeNode}}
	n1 := &user.DefaultInfo{Name: "system:node:n1", Groups: []string{"system:nodes", user.AllAuthenticated}}
	res := func(verb, group, resource, sub, ns, name string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: n1, Verb: verb, APIGroup: group, APIVersion: "v1", Resource: resource,
			Subresource: sub, Namespace: ns, Name: name, ResourceRequest: true}
	}
	allow, deny := authorizer.DecisionAllow, authorizer.DecisionDeny
	tests := []struct {
		name string
		a    authorizer.AttributesRecord
		want authorizer.Decision
	}{
		{"watch pods", res("watch", "", "pods", "", "", ""), allow},
		{"list services", res("list", "", "services", "", "", ""), allow},
		{"watch endpointslices", res("watch", "discovery.k8s.io", "endpointslices", "", "", ""), allow},
		{"get secret", res("get", "", "secrets", "", "default", "s"), allow},
		{"get configmap", res("get", "", "configmaps", "", "default", "kube-root-ca.crt"), allow},
		{"get pvc", res("get", "", "persistentvolumeclaims", "", "default", "c"), allow},
		{"list nodes", res("list", "", "nodes", "", "", ""), allow},
		{"create node", res("create", "", "nodes", "", "", ""), allow},
		{"update own node", res("update", "", "nodes", "", "", "n1"), allow},
		{"patch own node status", res("patch", "", "nodes", "status", "", "n1"), allow},
		{"update own node status", res("update", "", "nodes", "status", "", "n1"), allow},
		{"update other node status", res("update", "", "nodes", "status", "", "n2"), deny},
		{"update other node", res("update", "", "nodes", "", "", "n2"), deny},
		{"delete other node", res("delete", "", "nodes", "", "", "n2"), deny},
		{"create lease", res("create", "coordination.k8s.io", "leases", "", "kube-node-lease", ""), allow},
		{"update own lease", res("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1"), allow},
		{"get own lease", res("get", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1"), allow},
		{"update other lease", res("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n2"), deny},
		{"lease elsewhere", res("create", "coordination.k8s.io", "leases", "", "default", ""), deny},
		{"status of own pod", res("update", "", "pods", "status", "default", "mine"), allow},
		{"patch status of own pod", res("patch", "", "pods", "status", "default", "mine"), allow},
		{"status of other node's pod", res("update", "", "pods", "status", "default", "theirs"), deny},
		{"delete own pod", res("delete", "", "pods", "", "default", "mine"), allow},
		{"delete other node's pod", res("delete", "", "pods", "", "default", "theirs"), deny},
		{"delete gone pod (NotFound follows)", res("delete", "", "pods", "", "default", "gone"), allow},
		{"create LB lease", res("create", "coordination.k8s.io", "leases", "", "kube-system", ""), allow},
		{"renew LB lease", res("update", "coordination.k8s.io", "leases", "", "kube-system", "berth-lb-172-28-0-200"), allow},
		{"controllers' lease", res("update", "coordination.k8s.io", "leases", "", "kube-system", "berth-controllers"), deny},
		{"watch ingresses", res("watch", "networking.k8s.io", "ingresses", "", "", ""), allow},
		{"claim status", res("update", "", "persistentvolumeclaims", "status", "default", "c"), allow},
		{"claim spec", res("update", "", "persistentvolumeclaims", "", "default", "c"), deny},
		{"update own provisioned PV", res("update", "", "persistentvolumes", "", "", "pvc-mine"), allow},
		{"patch other node's PV", res("patch", "", "persistentvolumes", "", "", "pvc-theirs"), deny},
		{"update a static PV", res("update", "", "persistentvolumes", "", "", "static"), deny},
		{"delete own PV", res("delete", "", "persistentvolumes", "", "", "pvc-mine"), deny},
		{"create pod", res("create", "", "pods", "", "default", ""), deny},
		{"update pod spec", res("update", "", "pods", "", "default", "mine"), deny},
		{"exec", res("create", "", "pods", "exec", "default", "mine"), deny},
		{"create event", res("create", "", "events", "", "default", ""), allow},
		{"patch event", res("patch", "events.k8s.io", "events", "", "default", "e"), allow},
		{"serviceaccount token", res("create", "", "serviceaccounts", "token", "default", "default"), allow},
		{"create deployment", res("create", "apps", "deployments", "", "default", ""), deny},
		{"list deployments", res("list", "apps", "deployments", "", "", ""), deny},
		{"write secret", res("update", "", "secrets", "", "default", "s"), deny},
		{"delete service", res("delete", "", "services", "", "default", "s"), deny},
		{"discovery", authorizer.AttributesRecord{User: n1, Verb: "get", Path: "/apis"}, allow},
		{"non-resource post", authorizer.AttributesRecord{User: n1, Verb: "post", Path: "/berth/v1/node-certificate"}, deny},
		{"admin may do anything", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "admin", Groups: []string{"system:masters"}},
			Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "default", ResourceRequest: true}, allow},
		{"node name without the group is no node", authorizer.AttributesRecord{User: &user.DefaultInfo{Name: "system:node:n1"},
			Verb: "update", Resource: "nodes", Subresource: "status", Name: "n2", ResourceRequest: true}, allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reason, err := z.Authorize(context.Background(), tc.a)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("decision %v (%q), want %v", got, reason, tc.want)
			}
		})
	}
	_, reason, _ := z.Authorize(context.Background(), res("update", "", "nodes", "status", "", "n2"))
	if reason != "node 'n1' cannot modify node 'n2'" {
		t.Errorf("reason %q", reason)
	}
}
