package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond until it is true or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last state: %s", what, last)
}

func (w *NodeWorld) podField(t *testing.T, pod, jsonpath string) string {
	out, _ := w.KubectlErr("", "get", "pod", pod, "-o", "jsonpath="+jsonpath)
	return strings.TrimSpace(out)
}

func (w *NodeWorld) waitReady(t *testing.T, pods ...string) {
	t.Helper()
	for _, p := range pods {
		waitFor(t, 60*time.Second, p+" Ready", func() (bool, string) {
			s := w.podField(t, p, `{.status.conditions[?(@.type=="Ready")].status}`)
			return s == "True", w.podField(t, p, "{.status}")
		})
	}
}

type testhostReply struct {
	Hostname string   `json:"hostname"`
	PodIPs   []string `json:"podIPs"`
	Client   string   `json:"client"`
	Path     string   `json:"path"`
}

func hostSnapshot(t *testing.T) string {
	links, _ := exec.Command("ip", "-o", "link").Output()
	routes, _ := exec.Command("ip", "route").Output()
	return string(links) + string(routes)
}

// TestPodNetworkAndContainers is acceptance 1 and 2 of the agent issue:
// containers of a pod share its network namespace (localhost, one IP);
// pods reach each other and the node by IP; the host namespace is untouched.
func TestPodNetworkAndContainers(t *testing.T) {
	requireRoot(t)
	before := hostSnapshot(t)
	w := NewNodeWorld(t)
	_, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  containers:
  - name: a
    image: testhost
    args: ["serve", "--port", "8080"]
  - name: b
    image: testhost
    command: ["/bin/sh", "-c", "/testhost serve --port 8081 & while true; do /testhost get http://localhost:8080/from-b; sleep 2; done"]
---
apiVersion: v1
kind: Pod
metadata:
  name: peer
spec:
  containers:
  - name: web
    image: testhost
    args: ["serve", "--port", "80"]
`, "apply", "-f", "-")
	if err != nil {
		t.Fatal(err)
	}
	w.waitReady(t, "duo", "peer")
	duoIP := w.podField(t, "duo", "{.status.podIP}")
	peerIP := w.podField(t, "peer", "{.status.podIP}")
	if duoIP == "" || peerIP == "" || duoIP == peerIP {
		t.Fatalf("pod IPs %q %q", duoIP, peerIP)
	}

	// Both containers answer on the same pod IP and report it as theirs.
	for _, port := range []string{"8080", "8081"} {
		out, err := w.InNode("curl", "-s", "-m", "3", fmt.Sprintf("http://%s:%s/", duoIP, port))
		if err != nil {
			t.Fatalf("node → duo:%s: %v %s", port, err, out)
		}
		var r testhostReply
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("duo:%s answered %q", port, out)
		}
		if len(r.PodIPs) == 0 || r.PodIPs[0] != duoIP {
			t.Fatalf("container on %s sees pod IPs %v, pod IP is %s", port, r.PodIPs, duoIP)
		}
	}
	// B reached A over localhost: A saw a request for /from-b from 127.0.0.1.
	waitFor(t, 20*time.Second, "b → a over localhost", func() (bool, string) {
		out, err := w.InNode("sh", "-c", "cat "+w.agentDir()+"/logs/default_duo_*/b/0.log")
		return err == nil && strings.Contains(out, "/from-b") && (strings.Contains(out, `"clientIP": "127.0.0.1"`) || strings.Contains(out, `"clientIP": "::1"`)), out
	})

	// Pod to pod by IP, and pod to node.
	out, err := w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: probe-client
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: testhost
    command: ["/bin/sh", "-c", "/testhost get http://%s/from-client && nc -w 3 %s 6443 </dev/null && echo NODE-OK"]
`, peerIP, w.NodeIP), "apply", "-f", "-")
	if err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "probe-client to finish", func() (bool, string) {
		p := w.podField(t, "probe-client", "{.status.phase}")
		return p == "Succeeded" || p == "Failed", p
	})
	if p := w.podField(t, "probe-client", "{.status.phase}"); p != "Succeeded" {
		logs, _ := w.InNode("sh", "-c", "cat "+w.agentDir()+"/logs/default_probe-client_*/c/0.log")
		t.Fatalf("pod → pod / pod → node failed (%s):\n%s", p, logs)
	}
	logs, _ := w.InNode("sh", "-c", "cat "+w.agentDir()+"/logs/default_probe-client_*/c/0.log")
	if !strings.Contains(logs, peerIP) || !strings.Contains(logs, "NODE-OK") {
		t.Fatalf("unexpected client output:\n%s", logs)
	}
	if after := hostSnapshot(t); after != before {
		t.Fatalf("the host network namespace changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestCrashLoopProbesAndGracefulDelete is acceptance 3 of the agent issue.
func TestCrashLoopProbesAndGracefulDelete(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	_, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo bye; exit 3"]
---
apiVersion: v1
kind: Pod
metadata:
  name: flappy
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "touch /tmp/ready; sleep 5; rm /tmp/ready; sleep 6; touch /tmp/ready; sleep 3600"]
    readinessProbe:
      exec: {command: ["test", "-f", "/tmp/ready"]}
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: observer
spec:
  containers:
  - name: c
    image: testhost
    args: ["serve", "--port", "80"]
`, "apply", "-f", "-")
	if err != nil {
		t.Fatal(err)
	}
	w.waitReady(t, "observer")

	// Readiness: Ready, then not, then Ready again, while the container runs on.
	seen := []string{}
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && !(len(seen) >= 3) {
		s := w.podField(t, "flappy", `{.status.conditions[?(@.type=="Ready")].status}`)
		if s != "" && (len(seen) == 0 || seen[len(seen)-1] != s) {
			seen = append(seen, s)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if strings.Join(seen, ",") != "True,False,True" && strings.Join(seen, ",") != "False,True,False,True" {
		t.Fatalf("readiness went %v, want True,False,True", seen)
	}
	if rc := w.podField(t, "flappy", "{.status.containerStatuses[0].restartCount}"); rc != "0" {
		t.Fatalf("a readiness failure must not restart the container (restarts %s)", rc)
	}

	// Crash loop: CrashLoopBackOff, restarts growing with growing gaps.
	waitFor(t, 60*time.Second, "CrashLoopBackOff with 2 restarts", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pod", "crasher", "--no-headers")
		return strings.Contains(out, "CrashLoopBackOff") && w.podField(t, "crasher", "{.status.containerStatuses[0].restartCount}") >= "2", out
	})
	msg := w.podField(t, "crasher", "{.status.containerStatuses[0].state.waiting.message}")
	if !strings.Contains(msg, "back-off") {
		t.Fatalf("waiting message %q", msg)
	}
	if code := w.podField(t, "crasher", "{.status.containerStatuses[0].lastState.terminated.exitCode}"); code != "3" {
		t.Fatalf("last exit code %q", code)
	}

	// Graceful deletion: preStop runs (it calls the observer), SIGTERM is
	// ignored, so the pod goes only when the 4s grace period ends.
	observerIP := w.podField(t, "observer", "{.status.podIP}")
	_, err = w.KubectlErr(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: stubborn
spec:
  terminationGracePeriodSeconds: 4
  containers:
  - name: c
    image: testhost
    command: ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
    lifecycle:
      preStop:
        exec: {command: ["/testhost", "get", "http://%s/prestop"]}
`, observerIP), "apply", "-f", "-")
	if err != nil {
		t.Fatal(err)
	}
	w.waitReady(t, "stubborn")
	start := time.Now()
	w.Kubectl("delete", "pod", "stubborn", "--timeout=60s")
	took := time.Since(start)
	if took < 3*time.Second || took > 20*time.Second {
		t.Fatalf("deletion took %v; want about the 4s grace period", took)
	}
	out, _ := w.InNode("sh", "-c", "cat "+w.agentDir()+"/logs/default_observer_*/c/0.log")
	if !strings.Contains(out, "/prestop") {
		t.Fatalf("preStop hook never ran; observer log:\n%s", out)
	}
}

// TestAgentRestartAdoptsPods is acceptance 4: kill -9 the agent (here the
// server process that hosts it) and start it again: pods keep running,
// nothing restarts, status stays right.
func TestAgentRestartAdoptsPods(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	w.Kubectl("create", "deployment", "keep", "--image=testhost", "--replicas=1", "--", "/testhost", "serve", "--port", "80")
	_, _ = w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: steady
spec:
  containers:
  - name: c
    image: testhost
    args: ["serve", "--port", "80"]
    readinessProbe:
      httpGet: {path: /healthz, port: 80}
      periodSeconds: 1
`, "apply", "-f", "-")
	w.waitReady(t, "steady")
	before := w.podField(t, "steady", "{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt} {.status.podIP}")
	w.KillServer()
	w.Start()
	// Give the new agent time to adopt and report.
	time.Sleep(3 * time.Second)
	after := w.podField(t, "steady", "{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt} {.status.podIP}")
	if before != after {
		t.Fatalf("pod changed across an agent restart:\nbefore %s\nafter  %s", before, after)
	}
	if r := w.podField(t, "steady", `{.status.conditions[?(@.type=="Ready")].status}`); r != "True" {
		t.Fatalf("pod not Ready after restart: %s", r)
	}
	ip := w.podField(t, "steady", "{.status.podIP}")
	if out, err := w.InNode("curl", "-s", "-m", "3", "http://"+ip+"/healthz"); err != nil {
		t.Fatalf("pod unreachable after agent restart: %v %s", err, out)
	}
}
