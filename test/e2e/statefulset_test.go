package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// webStatefulSet is the docs' `web` example (nginx behind the headless
// Service `nginx`) on the testhost image; extra is appended to its spec.
func webStatefulSet(extra string) string {
	return `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels: {app: nginx}
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector: {app: nginx}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: nginx}
  serviceName: nginx
  replicas: 3
  template:
    metadata:
      labels: {app: nginx}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: testhost
        args: ["serve", "--port", "80"]
        ports:
        - containerPort: 80
          name: web
        readinessProbe:
          httpGet: {path: /healthz, port: 80}
          periodSeconds: 1
` + extra
}

// podEvent is one watch event of a StatefulSet pod.
type podEvent struct {
	Type     watch.EventType
	Name     string
	UID      string
	Ready    bool
	Deleting bool
}

func (e podEvent) String() string {
	return fmt.Sprintf("%s %s(%.8s) ready=%v deleting=%v", e.Type, e.Name, e.UID, e.Ready, e.Deleting)
}

// podRecorder records the watch events of the pods with a label selector,
// in the order the API server sends them.
type podRecorder struct {
	mu     sync.Mutex
	events []podEvent
}

func recordPods(t *testing.T, w *NodeWorld, selector string) *podRecorder {
	t.Helper()
	r := &podRecorder{}
	ctx, cancel := context.WithCancel(context.Background())
	wi, err := w.Clientset().CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); wi.Stop(); <-done })
	go func() {
		defer close(done)
		for ev := range wi.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			ready := p.Status.Phase == corev1.PodRunning
			ready = ready && slicesContainsReady(p.Status.Conditions)
			r.mu.Lock()
			r.events = append(r.events, podEvent{Type: ev.Type, Name: p.Name, UID: string(p.UID), Ready: ready, Deleting: p.DeletionTimestamp != nil})
			r.mu.Unlock()
		}
	}()
	return r
}

func slicesContainsReady(cs []corev1.PodCondition) bool {
	for _, c := range cs {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// mark returns the index the next event will have.
func (r *podRecorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *podRecorder) since(i int) []podEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]podEvent(nil), r.events[i:]...)
}

func dump(evs []podEvent) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// checkOrderedCreation: after the mark, the pods named are created in this
// order, each only when the pod before it was last seen Ready and not
// deleting.
func checkOrderedCreation(t *testing.T, evs []podEvent, names ...string) {
	t.Helper()
	var order []string
	last := map[string]podEvent{}
	for _, e := range evs {
		if e.Type == watch.Added {
			order = append(order, e.Name)
			for i, n := range names {
				if n == e.Name && i > 0 {
					if prev, ok := last[names[i-1]]; !ok || !prev.Ready || prev.Deleting || prev.Type == watch.Deleted {
						t.Errorf("%s created while %s was %v (want Running and Ready)\n%s", e.Name, names[i-1], prev, dump(evs))
					}
				}
			}
		}
		last[e.Name] = e
	}
	if strings.Join(order, ",") != strings.Join(names, ",") {
		t.Errorf("creation order %v, want %v\n%s", order, names, dump(evs))
	}
}

// checkOrderedDeletion: the pods named start terminating in this order, each
// only after the one before it is gone.
func checkOrderedDeletion(t *testing.T, evs []podEvent, names ...string) {
	t.Helper()
	var order []string
	gone := map[string]bool{}
	started := map[string]bool{}
	for _, e := range evs {
		if (e.Deleting || e.Type == watch.Deleted) && !started[e.Name] {
			started[e.Name] = true
			order = append(order, e.Name)
			for i, n := range names {
				if n == e.Name && i > 0 && !gone[names[i-1]] {
					t.Errorf("%s deleted before %s was gone\n%s", e.Name, names[i-1], dump(evs))
				}
			}
		}
		if e.Type == watch.Deleted {
			gone[e.Name] = true
		}
	}
	if strings.Join(order, ",") != strings.Join(names, ",") {
		t.Errorf("deletion order %v, want %v\n%s", order, names, dump(evs))
	}
}

// waitSet waits until the set reports want ready replicas at its
// generation, with exactly those pods live and ready.
func (w *NodeWorld) waitSet(t *testing.T, want int) {
	t.Helper()
	w.waitPods(t, "app=nginx", want)
	waitFor(t, 60*time.Second, fmt.Sprintf("statefulset status with %d ready", want), func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "sts", "web", "-o", "jsonpath={.metadata.generation} {.status.observedGeneration} {.status.replicas} {.status.readyReplicas} {.status.availableReplicas}")
		f := strings.Fields(out)
		n := fmt.Sprint(want)
		return len(f) == 5 && f[0] == f[1] && f[2] == n && f[3] == n && f[4] == n, out
	})
}

// TestStatefulSetWeb: the docs' web StatefulSet without storage — ordered
// creation, stable names on recreation, ordered scale down and up, a
// partitioned rolling update and per-pod DNS through the headless Service.
func TestStatefulSetWeb(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	rec := recordPods(t, w, "app=nginx")
	if out, err := w.KubectlErr(webStatefulSet(""), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitSet(t, 3)
	checkOrderedCreation(t, rec.since(0), "web-0", "web-1", "web-2")
	w.Kubectl("rollout", "status", "sts/web", "--timeout=60s")

	// Identity: hostname, subdomain, labels, owner.
	for i := range 3 {
		name := fmt.Sprintf("web-%d", i)
		got := w.podField(t, name, "{.spec.hostname} {.spec.subdomain} {.metadata.labels.statefulset\\.kubernetes\\.io/pod-name} {.metadata.labels.apps\\.kubernetes\\.io/pod-index} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}")
		if want := fmt.Sprintf("%s nginx %s %d StatefulSet/web", name, name, i); got != want {
			t.Errorf("pod %s: %q, want %q", name, got, want)
		}
	}
	// The pod's hostname is its name (the docs' `kubectl exec web-0 -- hostname`).
	if out := w.Kubectl("exec", "web-1", "--", "/testhost", "get", "http://localhost/hostname"); strings.TrimSpace(out) != "web-1" {
		t.Errorf("web-1's hostname: %q", out)
	}
	if out := w.Kubectl("describe", "sts", "web"); !strings.Contains(out, "create Pod web-0 in StatefulSet web successful") {
		t.Errorf("no SuccessfulCreate event:\n%s", out)
	}

	// Per-pod DNS from another pod.
	ip0 := w.podField(t, "web-0", "{.status.podIP}")
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: resolver
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: testhost
    command: ["/bin/sh", "-c", "for i in $(seq 30); do /testhost dns web-0.nginx.default.svc.cluster.local && exit 0; sleep 1; done; exit 1"]
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 90*time.Second, "resolver to finish", func() (bool, string) {
		p := w.podField(t, "resolver", "{.status.phase}")
		return p == "Succeeded" || p == "Failed", p
	})
	if logs := w.Kubectl("logs", "resolver"); w.podField(t, "resolver", "{.status.phase}") != "Succeeded" || !strings.Contains(logs, ip0) {
		t.Fatalf("web-0.nginx.default.svc.cluster.local: want %s:\n%s", ip0, logs)
	}

	// A deleted pod comes back under its name.
	uid1 := w.podField(t, "web-1", "{.metadata.uid}")
	w.Kubectl("delete", "pod", "web-1", "--wait=false")
	waitFor(t, 90*time.Second, "web-1 recreated and ready", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pod", "web-1", "-o", "jsonpath={.metadata.uid} {.status.conditions[?(@.type==\"Ready\")].status} {.metadata.deletionTimestamp}")
		f := strings.Fields(out)
		return len(f) == 2 && f[0] != uid1 && f[1] == "True", out
	})
	w.waitSet(t, 3)

	// Scale down in reverse order, one at a time; back up in order.
	m := rec.mark()
	w.Kubectl("scale", "sts/web", "--replicas=1")
	w.waitSet(t, 1)
	waitFor(t, 60*time.Second, "web-1 and web-2 gone", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=nginx", "-o", "jsonpath={.items[*].metadata.name}")
		return strings.TrimSpace(out) == "web-0", out
	})
	checkOrderedDeletion(t, rec.since(m), "web-2", "web-1")
	m = rec.mark()
	w.Kubectl("scale", "sts/web", "--replicas=3")
	w.waitSet(t, 3)
	checkOrderedCreation(t, rec.since(m), "web-1", "web-2")

	// A partitioned rolling update: only web-2 moves, then everything, in
	// reverse order.
	w.Kubectl("patch", "sts/web", "-p", `{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}`)
	oldRev := w.Kubectl("get", "sts", "web", "-o", "jsonpath={.status.currentRevision}")
	m = rec.mark()
	w.Kubectl("set", "env", "sts/web", "ROLL=2")
	revs := func() string {
		out, _ := w.KubectlErr("", "get", "pods", "web-0", "web-1", "web-2", "-o", "jsonpath={range .items[*]}{.metadata.labels.controller-revision-hash} {end}")
		return out
	}
	var newRev string
	waitFor(t, 90*time.Second, "web-2 at the update revision", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "sts", "web", "-o", "jsonpath={.status.updateRevision} {.status.updatedReplicas} {.status.currentReplicas} {.status.readyReplicas}")
		f := strings.Fields(out)
		if len(f) != 4 {
			return false, out
		}
		newRev = f[0]
		r := strings.Fields(revs())
		return f[0] != oldRev && f[1] == "1" && f[2] == "2" && f[3] == "3" && len(r) == 3 && r[0] == oldRev && r[1] == oldRev && r[2] == f[0], out + " pods: " + revs()
	})
	w.Kubectl("patch", "sts/web", "-p", `{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}`)
	w.Kubectl("rollout", "status", "sts/web", "--timeout=120s")
	waitFor(t, 60*time.Second, "every pod at the update revision", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "sts", "web", "-o", "jsonpath={.status.currentRevision} {.status.updatedReplicas} {.status.currentReplicas}")
		r := revs()
		return out == newRev+" 3 3" && r == strings.Repeat(newRev+" ", 3), out + " pods: " + r
	})
	checkOrderedDeletion(t, rec.since(m), "web-2", "web-1", "web-0")
	if out := w.Kubectl("rollout", "history", "sts/web"); !strings.Contains(out, "REVISION") || !strings.Contains(out, "2") {
		t.Errorf("rollout history:\n%s", out)
	}

	// kubectl rollout undo puts the first template back; its revision
	// returns as number 3.
	w.Kubectl("rollout", "undo", "sts/web")
	w.Kubectl("rollout", "status", "sts/web", "--timeout=120s")
	waitFor(t, 60*time.Second, "every pod back at the first revision", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "sts", "web", "-o", "jsonpath={.status.currentRevision} {.status.updatedReplicas}")
		r := revs()
		return out == oldRev+" 3" && r == strings.Repeat(oldRev+" ", 3), out + " pods: " + r
	})
	if n := w.Kubectl("get", "controllerrevision", oldRev, "-o", "jsonpath={.revision}"); n != "3" {
		t.Errorf("undone revision numbered %s, want 3", n)
	}
	if env := w.Kubectl("get", "sts", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env}"); env != "" {
		t.Errorf("undo kept env %s", env)
	}
}

// TestStatefulSetClaims: volumeClaimTemplates make claims www-web-N with the
// selector labels; the retention policy is carried out through owner
// references and the garbage collector. The pods may stay Pending (no
// storage needed here), hence Parallel.
func TestStatefulSetClaims(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	spec := webStatefulSet(`  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Delete
    whenScaled: Retain
  volumeClaimTemplates:
  - metadata:
      name: www
      labels: {tier: data}
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`)
	if out, err := w.KubectlErr(spec, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	setUID := w.Kubectl("get", "sts", "web", "-o", "jsonpath={.metadata.uid}")
	claims := func() string {
		out, _ := w.KubectlErr("", "get", "pvc", "-o", `jsonpath={range .items[*]}{.metadata.name}:{.metadata.labels.app}/{.metadata.labels.tier}:{range .metadata.ownerReferences[*]}{.kind}={.uid},{end} {end}`)
		return strings.TrimSpace(out)
	}
	owned := func(name, owners string) string { return fmt.Sprintf("%s:nginx/data:%s", name, owners) }
	waitFor(t, 60*time.Second, "claims www-web-0..2 owned by the set", func() (bool, string) {
		want := strings.Join([]string{
			owned("www-web-0", "StatefulSet="+setUID+","), owned("www-web-1", "StatefulSet="+setUID+","), owned("www-web-2", "StatefulSet="+setUID+","),
		}, " ")
		got := claims()
		return got == want, got
	})
	for i := range 3 {
		if got := w.podField(t, fmt.Sprintf("web-%d", i), `{.spec.volumes[?(@.name=="www")].persistentVolumeClaim.claimName}`); got != fmt.Sprintf("www-web-%d", i) {
			t.Errorf("pod web-%d volume www -> claim %q", i, got)
		}
	}

	// whenScaled: Delete — the condemned ordinal's claim is handed to its
	// pod and goes with it.
	w.Kubectl("patch", "sts/web", "-p", `{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"}}}`)
	w.Kubectl("scale", "sts/web", "--replicas=2")
	waitFor(t, 120*time.Second, "www-web-2 deleted with pod web-2", func() (bool, string) {
		got := claims()
		pods, _ := w.KubectlErr("", "get", "pods", "-l", "app=nginx", "-o", "jsonpath={.items[*].metadata.name}")
		return !strings.Contains(got, "www-web-2") && !strings.Contains(pods, "web-2") && strings.Contains(got, "www-web-1"), got + " pods: " + pods
	})

	// whenDeleted: Delete — deleting the set takes the claims with it.
	w.Kubectl("delete", "sts", "web", "--wait=false")
	waitFor(t, 120*time.Second, "claims deleted with the set", func() (bool, string) {
		got := claims()
		return got == "", got
	})

	waitFor(t, 60*time.Second, "pods gone", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=nginx", "-o", "name")
		return strings.TrimSpace(out) == "", out
	})

	// The default, Retain: claims outlive the set.
	keep := strings.Replace(spec, "whenDeleted: Delete", "whenDeleted: Retain", 1)
	keep = strings.Replace(keep, "replicas: 3", "replicas: 1", 1)
	if out, err := w.KubectlErr(keep, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "claim www-web-0 without owners", func() (bool, string) {
		got := claims()
		return got == owned("www-web-0", ""), got
	})
	w.Kubectl("delete", "sts", "web", "--wait=false")
	waitFor(t, 60*time.Second, "pods gone", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=nginx", "-o", "name")
		return strings.TrimSpace(out) == "", out
	})
	if got := claims(); got != owned("www-web-0", "") {
		t.Fatalf("claims after deleting a Retain set: %q", got)
	}
}

// TestStatefulSetWebStorage is the storage issue's acceptance 1: the docs'
// web set with a 1Gi volumeClaimTemplate on the default class comes up in
// order with a Bound claim per pod; a file web-1 wrote survives deleting
// the pod; scaling 3→1→3 reuses the claims; deleting the set keeps them,
// and with whenDeleted: Delete they go. It needs the storage controllers
// (a default StorageClass) and skips without them.
func TestStatefulSetWebStorage(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	if out, _ := w.KubectlErr("", "get", "storageclass", "-o", `jsonpath={.items[*].metadata.annotations.storageclass\.kubernetes\.io/is-default-class}`); !strings.Contains(out, "true") {
		t.Skip("no default StorageClass: the storage controllers are not in this build")
	}
	if out, _ := w.KubectlErr("", "get", "nodes", "-o", `jsonpath={.items[*].status.allocatable.berth\.dev/local-storage}`); strings.TrimSpace(out) == "" {
		t.Skip("nodes publish no berth.dev/local-storage: the node side of storage is not in this build")
	}
	withStorage := func(whenDeleted string) string {
		s := webStatefulSet(`  persistentVolumeClaimRetentionPolicy:
    whenDeleted: ` + whenDeleted + `
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`)
		return strings.Replace(s, "        readinessProbe:", `        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
        readinessProbe:`, 1)
	}
	rec := recordPods(t, w, "app=nginx")
	if out, err := w.KubectlErr(withStorage("Retain"), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitSet(t, 3)
	checkOrderedCreation(t, rec.since(0), "web-0", "web-1", "web-2")
	claimUIDs := func() string {
		out, _ := w.KubectlErr("", "get", "pvc", "www-web-0", "www-web-1", "www-web-2", "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}/{.status.phase} {end}")
		return strings.TrimSpace(out)
	}
	var uids string
	waitFor(t, 60*time.Second, "three Bound claims", func() (bool, string) {
		uids = claimUIDs()
		return strings.Count(uids, "/Bound") == 3, uids
	})

	write := `echo from-web-1 > /usr/share/nginx/html/who`
	if out, err := w.KubectlErr("", "exec", "web-1", "--", "/bin/sh", "-c", write); err != nil {
		t.Fatalf("write: %v\n%s", err, out)
	}
	check := func() {
		t.Helper()
		if out, err := w.KubectlErr("", "exec", "web-1", "--", "/testhost", "read", "/usr/share/nginx/html/who", "--print"); err != nil || strings.TrimSpace(out) != "from-web-1" {
			t.Fatalf("web-1's file: %v %q", err, out)
		}
	}
	w.Kubectl("delete", "pod", "web-1")
	w.waitSet(t, 3)
	check()

	w.Kubectl("scale", "sts/web", "--replicas=1")
	w.waitSet(t, 1)
	w.Kubectl("scale", "sts/web", "--replicas=3")
	w.waitSet(t, 3)
	check()
	if got := claimUIDs(); got != uids {
		t.Fatalf("claims not reused: %s, were %s", got, uids)
	}

	// Deleting a Retain set keeps the claims.
	w.Kubectl("delete", "sts", "web")
	waitFor(t, 90*time.Second, "pods gone", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pods", "-l", "app=nginx", "-o", "name")
		return strings.TrimSpace(out) == "", out
	})
	if got := claimUIDs(); got != uids {
		t.Fatalf("claims after deleting the set: %s, were %s", got, uids)
	}

	// whenDeleted: Delete — the set adopts the claims' fate and takes them
	// along.
	if out, err := w.KubectlErr(withStorage("Delete"), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitSet(t, 3)
	check()
	waitFor(t, 60*time.Second, "claims owned by the set", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pvc", "-o", "jsonpath={range .items[*]}{.metadata.ownerReferences[*].kind} {end}")
		return strings.Count(out, "StatefulSet") == 3, out
	})
	w.Kubectl("delete", "sts", "web")
	waitFor(t, 120*time.Second, "claims deleted", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pvc", "-o", "name")
		return strings.TrimSpace(out) == "", out
	})
}
