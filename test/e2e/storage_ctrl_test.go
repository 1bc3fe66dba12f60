package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestStorageControlPlane is the server side of the storage issue, without
// node mounts: static binding and Retain → Released (acceptance 3's API
// part), WaitForFirstConsumer binding through the scheduler, protection of
// an in-use claim, refused resizes, claims that stay Pending with an event
// saying why, and the kubectl columns of sc/pv/pvc.
func TestStorageControlPlane(t *testing.T) {
	w := NewNodeWorld(t)
	apply := func(manifest string) {
		t.Helper()
		if out, err := w.KubectlErr(manifest, "apply", "-f", "-"); err != nil {
			t.Fatalf("apply: %v\n%s", err, out)
		}
	}
	field := func(kind, name, jsonpath string) string {
		out, _ := w.KubectlErr("", "get", kind, name, "-o", "jsonpath="+jsonpath)
		return strings.TrimSpace(out)
	}
	waitField := func(kind, name, jsonpath, want string) {
		t.Helper()
		waitFor(t, 60*time.Second, kind+"/"+name+" "+jsonpath+"="+want, func() (bool, string) {
			got := field(kind, name, jsonpath)
			return got == want, got
		})
	}
	waitEvent := func(object, reason, contains string) {
		t.Helper()
		waitFor(t, 60*time.Second, "event "+reason+" on "+object, func() (bool, string) {
			out, _ := w.KubectlErr("", "get", "events", "--field-selector", "involvedObject.name="+object,
				"-o", `jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}`)
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, reason+": ") && strings.Contains(l, contains) {
					return true, out
				}
			}
			return false, out
		})
	}
	waitGone := func(kind, name string) {
		t.Helper()
		waitFor(t, 60*time.Second, kind+"/"+name+" gone", func() (bool, string) {
			out, err := w.KubectlErr("", "get", kind, name)
			return err != nil && strings.Contains(out, "NotFound"), out
		})
	}
	row := func(kind, name string) string {
		t.Helper()
		out := w.Kubectl("get", kind, name)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 {
			t.Fatalf("kubectl get %s %s:\n%s", kind, name, out)
		}
		return strings.Join(strings.Fields(lines[0]), " ") + "\n" + strings.Join(strings.Fields(lines[1]), " ")
	}

	// The built-in classes, local-path the default.
	sc := w.Kubectl("get", "storageclass")
	for _, want := range []string{
		`(?m)^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$`,
		`(?m)^local-path \(default\)\s+berth.dev/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s`,
		`(?m)^local-volume\s+berth.dev/local-volume\s+Delete\s+WaitForFirstConsumer\s+true\s`,
	} {
		if !regexp.MustCompile(want).MatchString(sc) {
			t.Fatalf("kubectl get sc: no %s in\n%s", want, sc)
		}
	}

	// Static binding: the smallest fitting volume of the class, Retain.
	apply(retainPV("pv-small", "100Mi", "ReadWriteOnce") + retainPV("pv-retain", "1Gi", "ReadWriteOnce, ReadWriteMany") +
		retainPV("pv-big", "5Gi", "ReadWriteOnce") + `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-a}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources: {requests: {storage: 500Mi}}
`)
	waitField("pvc", "claim-a", "{.status.phase}", "Bound")
	waitField("pv", "pv-retain", "{.status.phase}", "Bound")
	waitField("pv", "pv-small", "{.status.phase}", "Available")
	if got, want := row("pvc", "claim-a"), "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE\nclaim-a Bound pv-retain 1Gi RWO,RWX manual <unset>"; !strings.HasPrefix(got, want) {
		t.Errorf("kubectl get pvc:\n%s\nwant prefix\n%s", got, want)
	}
	if got, want := row("pv", "pv-retain"), "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE\npv-retain 1Gi RWO,RWX Retain Bound default/claim-a manual <unset>"; !strings.HasPrefix(got, want) {
		t.Errorf("kubectl get pv:\n%s\nwant prefix\n%s", got, want)
	}
	if got := field("pvc", "claim-a", "{.metadata.finalizers}"); !strings.Contains(got, "kubernetes.io/pvc-protection") {
		t.Errorf("claim finalizers %s", got)
	}
	if got := field("pv", "pv-retain", "{.metadata.finalizers}"); !strings.Contains(got, "kubernetes.io/pv-protection") {
		t.Errorf("volume finalizers %s", got)
	}
	if got := field("pvc", "claim-a", "{.metadata.annotations}"); !strings.Contains(got, `"pv.kubernetes.io/bind-completed":"yes"`) {
		t.Errorf("claim annotations %s", got)
	}
	// A bound claim of a class that does not allow expansion cannot grow.
	out, err := w.KubectlErr("", "patch", "pvc", "claim-a", "-p", `{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}`)
	if err == nil || !strings.Contains(out, "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize") {
		t.Errorf("resize without allowVolumeExpansion: %v\n%s", err, out)
	}
	// Retain: the claim goes, the volume stays Released.
	w.Kubectl("delete", "pvc", "claim-a", "--timeout=60s")
	waitField("pv", "pv-retain", "{.status.phase}", "Released")
	if got := field("pv", "pv-retain", "{.spec.claimRef.name}"); got != "claim-a" {
		t.Errorf("released volume keeps its claimRef, got %q", got)
	}

	// WaitForFirstConsumer with a static local volume: the claim waits for a
	// pod; the scheduler pre-binds the volume on the pod's node.
	apply(fmt.Sprintf(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-static}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-local}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local-static
  local: {path: /tmp}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [%s]}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-b}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: local-static
  resources: {requests: {storage: 1Gi}}
`, w.NodeName))
	waitEvent("claim-b", "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
	if got := field("pvc", "claim-b", "{.status.phase}"); got != "Pending" {
		t.Fatalf("claim-b without a pod: %s", got)
	}
	apply(`apiVersion: v1
kind: Pod
metadata: {name: user-b}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: claim-b}
`)
	waitField("pvc", "claim-b", "{.status.phase}", "Bound")
	waitField("pvc", "claim-b", "{.spec.volumeName}", "pv-local")
	waitField("pod", "user-b", "{.spec.nodeName}", w.NodeName)

	// An in-use claim stays Terminating until its pod is gone.
	w.Kubectl("delete", "pvc", "claim-b", "--wait=false")
	waitFor(t, 30*time.Second, "claim-b terminating", func() (bool, string) {
		got := field("pvc", "claim-b", "{.metadata.deletionTimestamp}")
		return got != "", got
	})
	time.Sleep(3 * time.Second) // give the protection controller a chance to get it wrong
	if got := row("pvc", "claim-b"); !strings.Contains(got, "claim-b Terminating pv-local") {
		t.Fatalf("in-use claim:\n%s", got)
	}
	w.Kubectl("delete", "pod", "user-b", "--grace-period=0", "--force", "--timeout=60s")
	waitGone("pvc", "claim-b")
	waitField("pv", "pv-local", "{.status.phase}", "Released")

	// Claims that cannot be satisfied stay Pending and say why.
	apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: instant}
provisioner: berth.dev/local-path
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: huge}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: instant
  resources: {requests: {storage: 100Ti}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: nowhere}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: no-such-class
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: user-huge}
spec:
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: huge}
`)
	waitEvent("huge", "ProvisioningFailed", `failed to provision volume with StorageClass "instant": no node has 100Ti of free storage`)
	waitEvent("nowhere", "ProvisioningFailed", `storageclass.storage.k8s.io "no-such-class" not found`)
	waitEvent("user-huge", "FailedScheduling", "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.")
	for _, c := range []string{"huge", "nowhere"} {
		if got := field("pvc", c, "{.status.phase}"); got != "Pending" {
			t.Errorf("claim %s: %s", c, got)
		}
	}

	// Generic ephemeral volumes: the claim is made for the pod, owned by it,
	// and goes with it; a same-named claim the pod does not own blocks it.
	eph := func(pod string) string {
		return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: local-path
          resources: {requests: {storage: 1Mi}}
`, pod)
	}
	apply(eph("eph"))
	waitField("pvc", "eph-scratch", "{.metadata.ownerReferences[0].name}", "eph")
	if got := field("pvc", "eph-scratch", "{.metadata.ownerReferences[0].controller}"); got != "true" {
		t.Errorf("ephemeral claim controller ref: %q", got)
	}
	w.Kubectl("delete", "pod", "eph", "--grace-period=0", "--force", "--timeout=60s")
	waitGone("pvc", "eph-scratch")
	apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: eph2-scratch}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
`)
	apply(eph("eph2"))
	waitEvent("eph2", "FailedScheduling", "0/1 nodes are available: PVC default/eph2-scratch was not created for pod default/eph2 (pod is not owner).")

	// Dynamic provisioning on the default class for a pod. With the node's
	// storage capacity published (the node side), the volume is made on the
	// node with node affinity; without it, the scheduler says why the pod
	// cannot go anywhere.
	apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim-c}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: user-c}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: claim-c}
`)
	if got := field("pvc", "claim-c", "{.spec.storageClassName}"); got != "local-path" {
		t.Fatalf("default class not applied: %q", got)
	}
	if field("node", w.NodeName, `{.status.allocatable.berth\.dev/local-storage}`) == "" {
		t.Log("node publishes no berth.dev/local-storage (node side not merged): checking the refusal")
		waitEvent("user-c", "FailedScheduling", "0/1 nodes are available: 1 node(s) did not have enough free storage.")
		return
	}
	waitField("pvc", "claim-c", "{.status.phase}", "Bound")
	pv := field("pvc", "claim-c", "{.spec.volumeName}")
	uid := field("pvc", "claim-c", "{.metadata.uid}")
	if pv != "pvc-"+uid {
		t.Fatalf("provisioned volume %q, want pvc-%s", pv, uid)
	}
	if got := field("pv", pv, "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"); got != w.NodeName {
		t.Errorf("volume node affinity %q, want %s", got, w.NodeName)
	}
	if got := field("pvc", "claim-c", "{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}"); got != w.NodeName {
		t.Errorf("selected-node %q", got)
	}
	waitField("pod", "user-c", "{.spec.nodeName}", w.NodeName)
	waitEvent("claim-c", "ProvisioningSucceeded", "Successfully provisioned volume "+pv)
}

// retainPV is a hostPath volume of class "manual" with policy Retain.
func retainPV(name, size, modes string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: %s}
spec:
  capacity: {storage: %s}
  accessModes: [%s]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath: {path: /tmp/%s}
---
`, name, size, modes, name)
}
