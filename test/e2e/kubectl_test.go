package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testdata(name string) string { return filepath.Join("testdata", name) }

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Fatalf("output does not contain %q:\n%s", w, out)
		}
	}
}

// TestKubectlDrivesTheAPI is acceptance 2 of the API issue: the real kubectl
// applies, reapplies, patches, server-side applies, lists, describes,
// labels, scales and deletes against `berth server --disable-agent`.
func TestKubectlDrivesTheAPI(t *testing.T) {
	s := StartServer(t)

	// apply: creates
	for _, f := range []string{"nginx-service.yaml", "nginx-deployment.yaml", "configmap.yaml", "pvc.yaml", "statefulset.yaml"} {
		out := s.Kubectl("apply", "-f", testdata(f))
		if !strings.Contains(out, "created") {
			t.Fatalf("apply %s: %s", f, out)
		}
	}

	// get svc: a ClusterIP row with PORT(S) 80/TCP
	out := s.Kubectl("get", "svc", "nginx-service")
	mustContain(t, out, "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE")
	if !regexp.MustCompile(`nginx-service\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80/TCP`).MatchString(out) {
		t.Fatalf("unexpected service row:\n%s", out)
	}

	// apply again: a no-op
	out = s.Kubectl("apply", "-f", testdata("nginx-service.yaml"))
	mustContain(t, out, "service/nginx-service unchanged")
	out = s.Kubectl("apply", "-f", testdata("nginx-deployment.yaml"))
	mustContain(t, out, "deployment.apps/nginx-deployment unchanged")

	// a changed manifest applies as a patch
	changed := strings.Replace(readFile(t, testdata("configmap.yaml")), `player_initial_lives: "3"`, `player_initial_lives: "5"`, 1)
	out, err := s.KubectlErr(changed, "apply", "-f", "-")
	if err != nil {
		t.Fatalf("apply changed: %v\n%s", err, out)
	}
	mustContain(t, out, "configmap/game-demo configured")
	cm, err := s.Clientset().CoreV1().ConfigMaps("default").Get(context.Background(), "game-demo", metav1.GetOptions{})
	if err != nil || cm.Data["player_initial_lives"] != "5" {
		t.Fatalf("patch not stored: %v %v", err, cm.Data)
	}

	// server-side apply, and a conflict with another manager
	ssa := `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa-demo
data:
  owner: first
`
	out, err = s.KubectlErr(ssa, "apply", "--server-side", "--field-manager=first", "-f", "-")
	if err != nil {
		t.Fatalf("server-side apply: %v\n%s", err, out)
	}
	mustContain(t, out, "configmap/ssa-demo serverside-applied")
	out, err = s.KubectlErr(strings.Replace(ssa, "first\n", "second\n", 1), "apply", "--server-side", "--field-manager=second", "-f", "-")
	if err == nil {
		t.Fatalf("expected a conflict, got:\n%s", out)
	}
	mustContain(t, out, "conflict", "first")
	out = s.Kubectl("get", "configmap", "ssa-demo", "-o", "jsonpath={.metadata.managedFields[*].manager}")
	mustContain(t, out, "first")

	// get all lists the workloads and services
	out = s.Kubectl("get", "all")
	mustContain(t, out, "service/nginx-service", "service/kubernetes", "deployment.apps/nginx-deployment", "statefulset.apps/web")

	// the PVC row has kubectl's columns
	out = s.Kubectl("get", "pvc", "myclaim")
	mustContain(t, out, "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "Pending")

	// describe, label, scale
	out = s.Kubectl("describe", "deployment", "nginx-deployment")
	mustContain(t, out, "Name:", "nginx-deployment", "Replicas:", "3 desired")
	out = s.Kubectl("label", "svc", "nginx-service", "tier=frontend")
	mustContain(t, out, "service/nginx-service labeled")
	out = s.Kubectl("get", "svc", "-l", "tier=frontend", "-o", "name")
	mustContain(t, out, "service/nginx-service")
	out = s.Kubectl("scale", "deployment", "nginx-deployment", "--replicas=5")
	mustContain(t, out, "deployment.apps/nginx-deployment scaled")
	out = s.Kubectl("get", "deployment", "nginx-deployment", "-o", "jsonpath={.spec.replicas}")
	if strings.TrimSpace(out) != "5" {
		t.Fatalf("replicas after scale = %q", out)
	}
	out = s.Kubectl("scale", "statefulset", "web", "--replicas=1")
	mustContain(t, out, "statefulset.apps/web scaled")

	// delete, with the default wait, and with each cascade mode
	out = s.Kubectl("delete", "-f", testdata("configmap.yaml"))
	mustContain(t, out, `configmap "game-demo" deleted`)
	out = s.Kubectl("delete", "deployment", "nginx-deployment", "--cascade=foreground")
	mustContain(t, out, `deployment.apps "nginx-deployment" deleted`)
	out = s.Kubectl("delete", "statefulset", "web", "--cascade=orphan")
	mustContain(t, out, `statefulset.apps "web" deleted`)
	out, _ = s.KubectlErr("", "get", "deployment", "nginx-deployment")
	mustContain(t, out, "NotFound")

	// a namespace goes with everything in it
	s.Kubectl("create", "namespace", "scratch")
	s.Kubectl("-n", "scratch", "create", "configmap", "c1", "--from-literal=a=b")
	s.Kubectl("delete", "namespace", "scratch", "--timeout=60s")
	out, _ = s.KubectlErr("", "get", "namespace", "scratch")
	mustContain(t, out, "NotFound")
}

// TestBadInput: malformed and invalid objects are refused with
// Kubernetes-style errors and nothing is stored.
func TestBadInput(t *testing.T) {
	s := StartServer(t)
	out, err := s.KubectlErr("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n", "apply", "-f", "-")
	if err == nil {
		t.Fatalf("malformed YAML accepted:\n%s", out)
	}
	out, err = s.KubectlErr("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n", "apply", "-f", "-")
	if err == nil {
		t.Fatalf("invalid name accepted:\n%s", out)
	}
	mustContain(t, out, "Invalid value", "Not_A_Name")
	out, err = s.KubectlErr("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n", "apply", "-f", "-")
	if err == nil {
		t.Fatalf("unknown field accepted under strict validation:\n%s", out)
	}
	mustContain(t, out, "bogus")
	out, _ = s.KubectlErr("", "get", "configmap", "strict")
	mustContain(t, out, "NotFound")

	// a taken ClusterIP is a 422
	svc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  clusterIP: 10.43.0.50\n  ports:\n  - port: 80\n"
	if out, err := s.KubectlErr(fmt.Sprintf(svc, "first"), "create", "-f", "-"); err != nil {
		t.Fatalf("create service with a chosen ClusterIP: %v\n%s", err, out)
	}
	out, err = s.KubectlErr(fmt.Sprintf(svc, "second"), "create", "-f", "-")
	if err == nil {
		t.Fatalf("second service got a taken ClusterIP:\n%s", out)
	}
	mustContain(t, out, "spec.clusterIPs", "already allocated")
	// out of range
	out, err = s.KubectlErr(strings.Replace(fmt.Sprintf(svc, "third"), "10.43.0.50", "10.99.0.1", 1), "create", "-f", "-")
	if err == nil {
		t.Fatalf("out-of-range ClusterIP accepted:\n%s", out)
	}
	mustContain(t, out, "not in the valid range")
	// deleting frees the address
	s.Kubectl("delete", "service", "first")
	if out, err := s.KubectlErr(fmt.Sprintf(svc, "second"), "create", "-f", "-"); err != nil {
		t.Fatalf("ClusterIP not freed by delete: %v\n%s", err, out)
	}
	// NodePorts: a taken one is refused
	np := "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n"
	if out, err := s.KubectlErr(fmt.Sprintf(np, "np1"), "create", "-f", "-"); err != nil {
		t.Fatalf("NodePort service: %v\n%s", err, out)
	}
	out, err = s.KubectlErr(fmt.Sprintf(np, "np2"), "create", "-f", "-")
	if err == nil {
		t.Fatalf("taken NodePort accepted:\n%s", out)
	}
	mustContain(t, out, "spec.ports[0].nodePort", "already allocated")
	out = s.Kubectl("get", "svc", "np1")
	mustContain(t, out, "NodePort", "80:30080/TCP")
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var _ = time.Second
