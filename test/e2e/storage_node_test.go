package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestStorageOnANode covers the node side of the storage issue without
// any server-side storage controller: a PV shaped as the local-volume
// provisioner makes it (acceptance 2 with the expansion step done by hand,
// as the expansion controller would), then emptyDir (acceptance 4).
func TestStorageOnANode(t *testing.T) {
	requireRoot(t)
	for _, bin := range []string{"mkfs.ext4", "resize2fs", "losetup"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh)", bin)
		}
	}
	// Registered before the world, so it runs after the world is deleted:
	// no loop device of this test's files survives, whatever happened.
	var stateDir string
	t.Cleanup(func() {
		if stateDir == "" {
			return
		}
		for dev, file := range volume.LoopBackings("/sys/block") {
			if strings.HasPrefix(file, stateDir) {
				t.Logf("detaching leftover %s (%s)", dev, file)
				_ = volume.DetachLoop(dev)
			}
		}
	})
	w := NewNodeWorld(t)
	stateDir = w.Dir

	alloc := w.Kubectl("get", "node", w.NodeName, "-o", `jsonpath={.status.allocatable.berth\.dev/local-storage}`)
	if q, err := resource.ParseQuantity(strings.TrimSpace(alloc)); err != nil || q.Sign() <= 0 {
		t.Fatalf("node publishes berth.dev/local-storage %q (%v)", alloc, err)
	}

	t.Run("local-volume", func(t *testing.T) { testLocalVolumeOnNode(t, w) })
	t.Run("emptyDir", func(t *testing.T) { testEmptyDirOnNode(t, w) })
}

func testLocalVolumeOnNode(t *testing.T, w *NodeWorld) {
	cs := w.Clientset()
	ctx := context.Background()
	ns := "default"
	class := "local-volume"
	claim, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: &class,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Mi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// The pod comes first: it waits for its claim with FailedMount.
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  nodeName: `+w.NodeName+`
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "FailedMount while the claim is unbound", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "events", "--field-selector", "involvedObject.name=writer,reason=FailedMount", "-o", "jsonpath={.items[*].message}")
		return strings.Contains(out, `PVC default/data has non-bound phase ("Pending")`), out
	})

	// The PV as the provisioner makes it, pre-bound to the claim; the
	// binder's work (claim volumeName and both statuses) done here.
	fs := corev1.PersistentVolumeFilesystem
	pvName := "pvc-" + string(claim.UID)
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvName,
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": volume.DriverLocalVolume},
			Finalizers:  []string{"kubernetes.io/pv-protection", volume.FinalizerNodeStorage}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Mi")},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: volume.CSIDriverLocalVolume, VolumeHandle: pvName, FSType: "ext4",
				VolumeAttributes: map[string]string{volume.AttrNode: w.NodeName}}},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			VolumeMode:                    &fs,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              class,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: ns, Name: "data", UID: claim.UID},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{w.NodeName}}}}}}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { forceDeletePV(cs, pvName) })
	img := filepath.Join(w.agentDir(), "storage", "local-volume", pvName+".img")
	waitFor(t, 60*time.Second, "the agent to create the backing file", func() (bool, string) {
		_, err := os.Stat(img)
		return err == nil, img
	})
	bindByHand(t, cs, ns, "data", pvName, "10Mi")

	w.waitReady(t, "writer")
	out, err := w.KubectlErr("", "exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=20")
	if err == nil || !strings.Contains(out, "No space left on device") {
		t.Fatalf("writing 20Mi into a 10Mi volume: %v\n%s", err, out)
	}
	w.Kubectl("exec", "writer", "--", "rm", "-f", "/data/f")

	// Expansion as the server-side controller does it: the PV grows and
	// the claim gets FileSystemResizePending; the node does the rest.
	setPVCapacity(t, cs, pvName, "30Mi")
	updateClaimStatus(t, cs, ns, "data", func(c *corev1.PersistentVolumeClaim) {
		c.Status.Conditions = append(c.Status.Conditions, corev1.PersistentVolumeClaimCondition{
			Type: corev1.PersistentVolumeClaimFileSystemResizePending, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.Now(), Message: "Waiting for user to (re-)start a pod to finish file system resize of volume on node."})
	})
	waitFor(t, 60*time.Second, "claim capacity 30Mi without resize conditions", func() (bool, string) {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		q := c.Status.Capacity[corev1.ResourceStorage]
		return q.String() == "30Mi" && len(c.Status.Conditions) == 0, q.String()
	})
	if out, err := w.KubectlErr("", "exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=20"); err != nil {
		t.Fatalf("writing 20Mi after growing to 30Mi: %v\n%s", err, out)
	}
	if rc := w.podField(t, "writer", "{.status.containerStatuses[0].restartCount}"); rc != "0" {
		t.Fatalf("the pod restarted (restartCount %s)", rc)
	}

	// Deleting everything leaves no mount, loop device or file.
	w.Kubectl("delete", "pod", "writer", "--wait=true", "--timeout=90s")
	if err := cs.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().PersistentVolumes().Delete(ctx, pvName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the agent to release "+volume.FinalizerNodeStorage, func() (bool, string) {
		cur, err := cs.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return err == nil && !volume.HasFinalizer(cur), strings.Join(cur.Finalizers, ",")
	})
	forceDeletePV(cs, pvName) // the pv-protection controller's part
	if _, err := os.Stat(img); !os.IsNotExist(err) {
		t.Fatalf("backing file left: %v", err)
	}
	pid := w.ServerPID()
	mi, err := w.InNode("cat", "/proc/"+strconv.Itoa(pid)+"/mountinfo")
	if err != nil || strings.Contains(mi, "storage/local-volume/"+pvName) {
		t.Fatalf("staging mount left in the node (%v):\n%s", err, mi)
	}
	if out, _ := exec.Command("losetup", "-a").CombinedOutput(); strings.Contains(string(out), pvName) {
		t.Fatalf("loop device left:\n%s", out)
	}
}

// bindByHand does the binder's part when no server-side binder runs (and
// is harmless when one does): claim.spec.volumeName, then both statuses.
func bindByHand(t *testing.T, cs kubernetes.Interface, ns, claim, pvName, size string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, claim, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Spec.VolumeName == pvName {
			break
		}
		c.Spec.VolumeName = pvName
		if _, err = cs.CoreV1().PersistentVolumeClaims(ns).Update(ctx, c, metav1.UpdateOptions{}); err == nil {
			break
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatalf("setting the claim's volumeName: %v", err)
		}
	}
	for i := 0; ; i++ {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pv.Status.Phase == corev1.VolumeBound {
			break
		}
		pv.Status.Phase = corev1.VolumeBound
		if _, err = cs.CoreV1().PersistentVolumes().UpdateStatus(ctx, pv, metav1.UpdateOptions{}); err == nil {
			break
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatal(err)
		}
	}
	updateClaimStatus(t, cs, ns, claim, func(c *corev1.PersistentVolumeClaim) {
		if c.Status.Phase == corev1.ClaimBound {
			return
		}
		c.Status.Phase = corev1.ClaimBound
		c.Status.AccessModes = c.Spec.AccessModes
		c.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}
	})
}

func updateClaimStatus(t *testing.T, cs kubernetes.Interface, ns, name string, mutate func(*corev1.PersistentVolumeClaim)) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mutate(c)
		if _, err = cs.CoreV1().PersistentVolumeClaims(ns).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err == nil {
			return
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatalf("claim status: %v", err)
		}
	}
}

func setPVCapacity(t *testing.T, cs kubernetes.Interface, name, size string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse(size)
		if _, err = cs.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err == nil {
			return
		} else if !apierrors.IsConflict(err) || i > 5 {
			t.Fatalf("growing the PV: %v", err)
		}
	}
}

// forceDeletePV removes a PV whatever finalizers it still has.
func forceDeletePV(cs kubernetes.Interface, name string) {
	ctx := context.Background()
	_ = cs.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{})
	for i := 0; i < 5; i++ {
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(pv.Finalizers) == 0 {
			return
		}
		pv.Finalizers = nil
		if _, err := cs.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err == nil {
			return
		}
	}
}

func testEmptyDirOnNode(t *testing.T, w *NodeWorld) {
	spec := `apiVersion: v1
kind: Pod
metadata:
  name: scratch
spec:
  nodeName: ` + w.NodeName + `
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap 'exit 1' TERM; sleep 3600 & wait"]
    volumeMounts:
    - {name: disk, mountPath: /scratch}
    - {name: mem, mountPath: /mem}
  volumes:
  - name: disk
    emptyDir: {}
  - name: mem
    emptyDir: {medium: Memory, sizeLimit: 8Mi}
`
	if out, err := w.KubectlErr(spec, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "scratch")
	w.Kubectl("exec", "scratch", "--", "sh", "-c", "echo kept > /scratch/f")
	mounts := w.Kubectl("exec", "scratch", "--", "cat", "/proc/mounts")
	var memFS string
	for _, line := range strings.Split(mounts, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "/mem" {
			memFS = f[2]
		}
	}
	if memFS != "tmpfs" {
		t.Fatalf("Memory emptyDir is %q, want tmpfs\n%s", memFS, mounts)
	}

	// A container restart keeps the emptyDir…
	_, _ = w.KubectlErr("", "exec", "scratch", "--", "kill", "1")
	waitFor(t, 60*time.Second, "the container to restart", func() (bool, string) {
		rc := w.podField(t, "scratch", "{.status.containerStatuses[0].restartCount}")
		return rc == "1", rc
	})
	w.waitReady(t, "scratch")
	if out := w.Kubectl("exec", "scratch", "--", "cat", "/scratch/f"); strings.TrimSpace(out) != "kept" {
		t.Fatalf("emptyDir after a container restart: %q", out)
	}
	// …a new pod does not get it.
	w.Kubectl("delete", "pod", "scratch", "--wait=true", "--timeout=90s")
	if out, err := w.KubectlErr(spec, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "scratch")
	if out, err := w.KubectlErr("", "exec", "scratch", "--", "cat", "/scratch/f"); err == nil {
		t.Fatalf("a new pod sees the old pod's emptyDir: %q", out)
	}
	w.Kubectl("delete", "pod", "scratch", "--wait=true", "--timeout=90s")
}
