package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestStorageAcceptance: issue 6's acceptances 2, 3 and 5 with the whole
// chain running — scheduler, provisioner, binder, expansion and protection
// controllers on the server, backing storage and mounts on the node. (1 is
// TestStatefulSetWebStorage, 4 TestStorageOnANode's emptyDir part.)
func TestStorageAcceptance(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorld(t)
	cs := w.Clientset()
	ctx := context.Background()
	claimOf := func(name string) (*corev1.PersistentVolumeClaim, error) {
		return cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, name, metav1.GetOptions{})
	}

	// 2. A 10Mi claim on local-volume: writing 20Mi fails with ENOSPC;
	// growing the claim to 30Mi lets the write succeed, pod not restarted.
	if out, err := w.KubectlErr(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: local-volume
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Mi}}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "writer")
	c, err := claimOf("data")
	if err != nil || c.Status.Phase != corev1.ClaimBound {
		t.Fatalf("claim data: %v %+v", err, c.Status)
	}
	pvName := c.Spec.VolumeName
	if pvName != "pvc-"+string(c.UID) {
		t.Errorf("provisioned PV %q, want pvc-<claim uid>", pvName)
	}
	if out := w.Kubectl("get", "pv", pvName, "-o", "jsonpath={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"); out != w.NodeName {
		t.Errorf("PV node affinity names %q, want %q", out, w.NodeName)
	}
	if out, err := w.KubectlErr("", "exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=20"); err == nil || !strings.Contains(out, "No space left on device") {
		t.Fatalf("writing 20Mi into a 10Mi claim: %v\n%s", err, out)
	}
	w.Kubectl("exec", "writer", "--", "rm", "-f", "/data/f")
	w.Kubectl("patch", "pvc", "data", "-p", `{"spec":{"resources":{"requests":{"storage":"30Mi"}}}}`)
	waitFor(t, 90*time.Second, "the claim to show 30Mi with no resize conditions", func() (bool, string) {
		c, err := claimOf("data")
		if err != nil {
			return false, err.Error()
		}
		q := c.Status.Capacity[corev1.ResourceStorage]
		return q.String() == "30Mi" && len(c.Status.Conditions) == 0, q.String()
	})
	if out, err := w.KubectlErr("", "exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=20"); err != nil {
		t.Fatalf("writing 20Mi after growing the claim to 30Mi: %v\n%s", err, out)
	}
	if rc := w.podField(t, "writer", "{.status.containerStatuses[0].restartCount}"); rc != "0" {
		t.Errorf("the pod restarted during the expansion (restartCount %s)", rc)
	}

	// 5. Deleting the claim the pod uses leaves it Terminating until the
	// pod is gone; then claim, PV (Delete policy) and backing storage go,
	// and no mount or loop device is left.
	w.Kubectl("delete", "pvc", "data", "--wait=false")
	time.Sleep(3 * time.Second) // time for a wrong controller to remove it
	c, err = claimOf("data")
	if err != nil || c.DeletionTimestamp == nil {
		t.Fatalf("claim in use should stay Terminating: %v", err)
	}
	if out := w.Kubectl("get", "pvc", "data"); !strings.Contains(out, "Terminating") {
		t.Errorf("kubectl get pvc should say Terminating:\n%s", out)
	}
	w.Kubectl("delete", "pod", "writer", "--wait=true", "--timeout=90s")
	waitFor(t, 90*time.Second, "claim and PV to go", func() (bool, string) {
		_, errC := claimOf("data")
		_, errV := cs.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		return apierrors.IsNotFound(errC) && apierrors.IsNotFound(errV), ""
	})
	assertNoStorageLeft(t, w, pvName)

	// 3. A Retain volume becomes Released when its claim is deleted and
	// keeps its data on disk.
	if out, err := w.KubectlErr(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: berth.dev/local-path
reclaimPolicy: Retain
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: kept}
spec:
  storageClassName: keep
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: scribe}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo kept-data > /data/hello"]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: kept}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 120*time.Second, "the writing pod to succeed", func() (bool, string) {
		p := w.podField(t, "scribe", "{.status.phase}")
		return p == "Succeeded", p
	})
	c, err = claimOf("kept")
	if err != nil {
		t.Fatal(err)
	}
	kept := c.Spec.VolumeName
	w.Kubectl("delete", "pod", "scribe")
	w.Kubectl("delete", "pvc", "kept", "--timeout=90s")
	waitFor(t, 60*time.Second, "the Retain PV to be Released", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "pv", kept, "-o", "jsonpath={.status.phase}")
		return out == "Released", out
	})
	b, err := os.ReadFile(filepath.Join(w.StorageDir(), "local-path", kept, "hello"))
	if err != nil || strings.TrimSpace(string(b)) != "kept-data" {
		t.Fatalf("data of the Released volume: %q %v", b, err)
	}
}
