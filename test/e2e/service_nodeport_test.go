package e2e

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// outsideNS opens the world's namespace: the host side of the node
// network, outside every node.
func (w *NodeWorld) outsideNS(t *testing.T) netns.NsHandle {
	t.Helper()
	h, err := netns.GetFromName(w.Outside)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestNodePort is acceptance 3: a `type: NodePort` Service over the
// testhost pods answers on <node-ip>:<nodePort> from outside the node's
// namespace; with `externalTrafficPolicy: Local` the pod sees the client's
// own address (no masquerade).
func TestNodePort(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	w.Kubectl("create", "deployment", "nginx", "--image=testhost", "--replicas=2")
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: nginx}
  ports:
  - {name: http, port: 80, targetPort: 80}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitPods(t, "app=nginx", 2)
	w.waitReadyEndpoints(t, "web", 2)
	nodePort := strings.TrimSpace(w.Kubectl("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"))
	addr := net.JoinHostPort(w.NodeIP, nodePort)
	outside := w.outsideNS(t)

	// ask sends one request from outside and returns the pod that answered
	// and the client address it saw, next to the client's own.
	ask := func() (reply testhostReply, local string, err error) {
		r := GetIn(outside, addr, "/", 5*time.Second)
		if r.Err != nil {
			return reply, "", r.Err
		}
		if err := json.Unmarshal([]byte(r.Body), &reply); err != nil {
			return reply, "", err
		}
		return reply, r.Local, nil
	}
	hostOf := func(a string) string { h, _, _ := net.SplitHostPort(a); return h }

	var pods = map[string]bool{}
	waitFor(t, 30*time.Second, "the NodePort to answer from outside", func() (bool, string) {
		_, _, err := ask()
		return err == nil, errString(err)
	})
	for i := 0; i < 10; i++ {
		reply, local, err := ask()
		if err != nil {
			t.Fatalf("NodePort %s from outside: %v", addr, err)
		}
		pods[reply.Hostname] = true
		t.Logf("externalTrafficPolicy Cluster: %s answered, saw client %s (client is %s)", reply.Hostname, reply.Client, local)
	}
	if len(pods) != 2 {
		t.Fatalf("NodePort requests reached %v, want both pods", pods)
	}

	w.Kubectl("patch", "svc", "web", "-p", `{"spec":{"externalTrafficPolicy":"Local"}}`)
	waitFor(t, 30*time.Second, "the pod to see the real client address", func() (bool, string) {
		reply, local, err := ask()
		return err == nil && hostOf(reply.Client) == hostOf(local), reply.Client + " " + local + " " + errString(err)
	})
	for i := 0; i < 10; i++ {
		reply, local, err := ask()
		if err != nil {
			t.Fatalf("NodePort %s from outside with externalTrafficPolicy Local: %v", addr, err)
		}
		if hostOf(reply.Client) != hostOf(local) {
			t.Fatalf("externalTrafficPolicy Local: the pod saw client %s, the client is %s", reply.Client, local)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
