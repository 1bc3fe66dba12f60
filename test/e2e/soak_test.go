package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// podManifests returns n pods of testhost serving on port 80.
func podManifests(prefix string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata:
  name: %s-%d
  labels: {soak: "yes"}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: testhost
    args: ["serve", "--port", "80"]
`, prefix, i)
	}
	return b.String()
}

// leakReport lists what the node has beyond its empty state: pod veths,
// network namespace files, IPAM allocations, runc containers, mounts below
// the agent's directories, pod cgroups and processes other than the server.
func (w *NodeWorld) leakReport(t *testing.T) []string {
	var leaks []string
	out, _ := w.InNode("ip", "-o", "link")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "veth") {
			leaks = append(leaks, "link: "+line)
		}
	}
	for _, dir := range []string{w.runDir() + "/netns", w.runDir() + "/ipc", w.agentDir() + "/pods"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			leaks = append(leaks, "file: "+dir+"/"+e.Name())
		}
	}
	ipam, _ := w.InNode("sh", "-c", "ls "+w.agentDir()+"/ipam 2>/dev/null | grep -E '^[0-9]+\\.' || true")
	for _, f := range strings.Fields(ipam) {
		leaks = append(leaks, "ip: "+f)
	}
	if out, err := w.InNode("runc", "--root", w.runDir()+"/runc", "list", "-q"); err == nil {
		for _, id := range strings.Fields(out) {
			leaks = append(leaks, "container: "+id)
		}
	}
	mounts, _ := w.InNode("cat", "/proc/self/mounts")
	for _, line := range strings.Split(mounts, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && (strings.HasPrefix(f[1], w.agentDir()+"/pods") || strings.HasPrefix(f[1], w.runDir()+"/netns") || strings.HasPrefix(f[1], w.runDir()+"/ipc")) {
			leaks = append(leaks, "mount: "+f[1])
		}
	}
	cg, _ := w.InNode("sh", "-c", "find /sys/fs/cgroup -maxdepth 4 -type d -path '*berth/node-"+w.ID+"/pod*' 2>/dev/null")
	for _, d := range strings.Fields(cg) {
		leaks = append(leaks, "cgroup: "+d)
	}
	return leaks
}

// TestSoak200Pods creates and deletes 200 pods and then finds nothing leaked.
func TestSoak200Pods(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("soak test")
	}
	w := NewNodeWorldWith(t, NodeWorldOptions{Serial: true})
	for batch := 0; batch < 4; batch++ {
		prefix := fmt.Sprintf("soak%d", batch)
		if out, err := w.KubectlErr(podManifests(prefix, 50), "apply", "-f", "-"); err != nil {
			t.Fatalf("creating pods: %v\n%s", err, out)
		}
		waitFor(t, 4*time.Minute, "50 pods Running", func() (bool, string) {
			out, _ := w.KubectlErr("", "get", "pods", "-l", "soak=yes", "--no-headers")
			return strings.Count(out, "Running") == 50 && strings.Count(out, "1/1") == 50, fmt.Sprintf("%d running", strings.Count(out, "Running"))
		})
		if out, err := w.KubectlErr("", "delete", "pods", "-l", "soak=yes", "--timeout=4m"); err != nil {
			t.Fatalf("deleting pods: %v\n%s", err, out)
		}
	}
	// Housekeeping may need a moment for the last pods' files.
	var leaks []string
	waitFor(t, 60*time.Second, "no leftovers", func() (bool, string) {
		leaks = w.leakReport(t)
		return len(leaks) == 0, strings.Join(leaks, "\n")
	})
}
