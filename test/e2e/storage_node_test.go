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
	t.Run("block", func(t *testing.T) { testBlockVolumeOnNode(t, w) })
	t.Run("payload-and-limits", func(t *testing.T) { testPayloadVolumesOnNode(t, w) })
	t.Run("generic-ephemeral", func(t *testing.T) { testEphemeralVolumeOnNode(t, w) })
	t.Run("service-account-token", func(t *testing.T) { testTokenVolumeOnNode(t, w) })
	t.Run("static-hostPath-and-local", func(t *testing.T) { testStaticVolumesOnNode(t, w) })
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
	if out, err := w.KubectlErr(sleeperPod("writer", w.NodeName, `    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
`), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "FailedMount while the claim is unbound", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "events", "--field-selector", "involvedObject.name=writer,reason=FailedMount", "-o", "jsonpath={.items[*].message}")
		return strings.Contains(out, `PVC default/data has non-bound phase ("Pending")`), out
	})

	// The PV as the provisioner makes it, pre-bound to the claim; the
	// binder's work (claim volumeName and both statuses) done here.
	pvName := "pvc-" + string(claim.UID)
	pv := ContractPV(pvName, w.NodeName, claim, "10Mi", corev1.PersistentVolumeFilesystem)
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ForceDeletePV(cs, pvName) })
	img := filepath.Join(w.agentDir(), "storage", "local-volume", pvName+".img")
	waitFor(t, 60*time.Second, "the agent to create the backing file", func() (bool, string) {
		_, err := os.Stat(img)
		return err == nil, img
	})
	BindByHand(t, cs, ns, "data", pvName, "10Mi")

	w.waitReady(t, "writer")
	out, err := w.KubectlErr("", "exec", "writer", "--", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=20")
	if err == nil || !strings.Contains(out, "No space left on device") {
		t.Fatalf("writing 20Mi into a 10Mi volume: %v\n%s", err, out)
	}
	w.Kubectl("exec", "writer", "--", "rm", "-f", "/data/f")

	// Expansion as the server-side controller does it: the PV grows and
	// the claim gets FileSystemResizePending; the node does the rest.
	setPVCapacity(t, cs, pvName, "30Mi")
	UpdateClaimStatus(t, cs, ns, "data", func(c *corev1.PersistentVolumeClaim) {
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

	// A crashed and restarted agent finds the staging mount and its loop
	// device again: the pod keeps its volume, nothing is attached twice.
	w.KillServer()
	w.Start()
	w.waitReady(t, "writer")
	// The pod's status is from before the restart: exec answers once the
	// new agent has adopted the pod.
	waitFor(t, 60*time.Second, "the data after an agent restart", func() (bool, string) {
		out, _ := w.KubectlErr("", "exec", "writer", "--", "ls", "-l", "/data/f")
		return strings.Contains(out, "20971520"), out
	})
	if devs := volume.LoopFor(volume.LoopBackings("/sys/block"), img); len(devs) != 1 {
		t.Fatalf("loop devices of the volume after an agent restart: %v", devs)
	}
	if rc := w.podField(t, "writer", "{.status.containerStatuses[0].restartCount}"); rc != "0" {
		t.Fatalf("the pod restarted with the agent (restartCount %s)", rc)
	}

	// Deleting everything leaves no mount, loop device or file.
	w.Kubectl("delete", "pod", "writer", "--wait=true", "--timeout=90s")
	deleteClaimAndPV(t, cs, ns, "data", pvName)
	assertNoStorageLeft(t, w, pvName)
}

// assertNoStorageLeft checks the node keeps no mount, loop device or file
// of the PV.
func assertNoStorageLeft(t *testing.T, w *NodeWorld, pvName string) {
	t.Helper()
	if m, _ := filepath.Glob(filepath.Join(w.agentDir(), "storage", "local-volume", pvName+".img*")); len(m) > 0 {
		t.Fatalf("backing files left: %v", m)
	}
	mi, err := w.InNode("cat", "/proc/"+strconv.Itoa(w.ServerPID())+"/mountinfo")
	if err != nil || strings.Contains(mi, "storage/local-volume/"+pvName) {
		t.Fatalf("staging mount left in the node (%v):\n%s", err, mi)
	}
	if out, _ := exec.Command("losetup", "-a").CombinedOutput(); strings.Contains(string(out), pvName) {
		t.Fatalf("loop device left:\n%s", out)
	}
}

// deleteClaimAndPV deletes both and waits for the agent's finalizer.
func deleteClaimAndPV(t *testing.T, cs kubernetes.Interface, ns, claim, pvName string) {
	t.Helper()
	if err := cs.CoreV1().PersistentVolumeClaims(ns).Delete(context.Background(), claim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deletePVAndWait(t, cs, pvName)
}

// deletePVAndWait deletes the PV, waits for the agent to remove the
// backing storage and its finalizer, then does the pv-protection
// controller's part.
func deletePVAndWait(t *testing.T, cs kubernetes.Interface, pvName string) {
	t.Helper()
	ctx := context.Background()
	// With the server's binder running, a Delete-policy PV whose claim is
	// gone is being deleted already.
	if err := cs.CoreV1().PersistentVolumes().Delete(ctx, pvName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the agent to release "+volume.FinalizerNodeStorage, func() (bool, string) {
		cur, err := cs.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return err == nil && !volume.HasFinalizer(cur), "finalizer kept"
	})
	ForceDeletePV(cs, pvName)
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

func testBlockVolumeOnNode(t *testing.T, w *NodeWorld) {
	cs := w.Clientset()
	ctx := context.Background()
	class := "local-volume"
	block := corev1.PersistentVolumeBlock
	claim, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "raw"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod},
			StorageClassName: &class, VolumeMode: &block,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("4Mi")}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pvName := "pvc-" + string(claim.UID)
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, ContractPV(pvName, w.NodeName, claim, "4Mi", block), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ForceDeletePV(cs, pvName) })
	BindByHand(t, cs, "default", "raw", pvName, "4Mi")
	pod := func(name string) string {
		return sleeperPod(name, w.NodeName, `    volumeDevices:
    - {name: raw, devicePath: /dev/xvda}
  volumes:
  - name: raw
    persistentVolumeClaim: {claimName: raw}
`)
	}
	if out, err := w.KubectlErr(pod("rawuser"), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "rawuser")
	if out := w.Kubectl("exec", "rawuser", "--", "blockdev", "--getsize64", "/dev/xvda"); strings.TrimSpace(out) != "4194304" {
		t.Fatalf("block device size %q", out)
	}
	w.Kubectl("exec", "rawuser", "--", "sh", "-c", "echo raw-bytes | dd of=/dev/xvda conv=fsync")
	if out := w.Kubectl("exec", "rawuser", "--", "head", "-c", "9", "/dev/xvda"); out != "raw-bytes" {
		t.Fatalf("read back %q", out)
	}
	// ReadWriteOncePod: a second pod on the node is refused.
	if out, err := w.KubectlErr(pod("rawuser2"), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "the second pod refused", func() (bool, string) {
		out, _ := w.KubectlErr("", "get", "events", "--field-selector", "involvedObject.name=rawuser2,reason=FailedMount", "-o", "jsonpath={.items[*].message}")
		return strings.Contains(out, "ReadWriteOncePod"), out
	})
	w.Kubectl("delete", "pod", "rawuser", "rawuser2", "--wait=true", "--timeout=90s")
	deleteClaimAndPV(t, cs, "default", "raw", pvName)
	assertNoStorageLeft(t, w, pvName)
}

func testPayloadVolumesOnNode(t *testing.T, w *NodeWorld) {
	w.Kubectl("create", "configmap", "cfg", "--from-literal=greeting=hello")
	if out, err := w.KubectlErr(`apiVersion: v1
kind: Pod
metadata:
  name: vols
  labels: {app: vols}
spec:
  nodeName: `+w.NodeName+`
  terminationGracePeriodSeconds: 1
  securityContext: {fsGroup: 2345}
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: proj, mountPath: /proj}
    - {name: lim, mountPath: /lim}
    - {name: logs, mountPath: /logs, subPathExpr: $(POD_NAME)}
    - {name: cfg, mountPath: /ro-cfg, readOnly: true}
  volumes:
  - name: cfg
    configMap: {name: cfg}
  - name: proj
    projected:
      sources:
      - configMap:
          name: cfg
          items: [{key: greeting, path: g.txt}]
      - downwardAPI:
          items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
  - name: lim
    emptyDir: {sizeLimit: 2Mi}
  - name: logs
    emptyDir: {}
`, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	w.waitReady(t, "vols")
	exec := func(cmd string) string { return strings.TrimSpace(w.Kubectl("exec", "vols", "--", "sh", "-c", cmd)) }
	if got := exec("cat /cfg/greeting /proj/g.txt"); got != "hellohello" {
		t.Fatalf("configMap/projected: %q", got)
	}
	if got := exec("cat /proj/labels"); got != `app="vols"` {
		t.Fatalf("downwardAPI labels: %q", got)
	}
	if got := exec("readlink /cfg/..data; readlink /cfg/greeting"); !strings.HasPrefix(got, "..20") || !strings.HasSuffix(got, "..data/greeting") {
		t.Fatalf("atomic writer layout: %q", got)
	}
	if got := exec("stat -c %g /lim"); got != "2345" {
		t.Fatalf("fsGroup on emptyDir: gid %q", got)
	}
	if _, err := w.KubectlErr("", "exec", "vols", "--", "sh", "-c", "touch /ro-cfg/x"); err == nil {
		t.Fatal("a readOnly mount was writable")
	}
	exec("touch /logs/from-vols")
	uid := w.podField(t, "vols", "{.metadata.uid}")
	if _, err := os.Stat(filepath.Join(w.agentDir(), "pods", uid, "volumes", "logs", "vols", "from-vols")); err != nil {
		t.Fatalf("subPathExpr $(POD_NAME): %v", err)
	}

	w.Kubectl("patch", "configmap", "cfg", "-p", `{"data":{"greeting":"bye"}}`)
	waitFor(t, 60*time.Second, "the configMap update in the volume", func() (bool, string) {
		got := exec("cat /cfg/greeting /proj/g.txt")
		return got == "byebye", got
	})

	// 4Mi into a 2Mi emptyDir: evicted.
	_, _ = w.KubectlErr("", "exec", "vols", "--", "dd", "if=/dev/zero", "of=/lim/f", "bs=1M", "count=4")
	waitFor(t, 90*time.Second, "eviction", func() (bool, string) {
		st := w.podField(t, "vols", "{.status.phase} {.status.reason} {.status.message}")
		return strings.HasPrefix(st, "Failed Evicted Usage of EmptyDir volume \"lim\" exceeds the limit \"2Mi\""), st
	})
	w.Kubectl("delete", "pod", "vols", "--wait=true", "--timeout=90s")
	w.Kubectl("delete", "configmap", "cfg")
}

// testEphemeralVolumeOnNode: the claim `<pod>-<volume>` (made here, owned
// by the pod, when no server-side controller makes it) is mounted like any
// claim and goes with the pod.
func testEphemeralVolumeOnNode(t *testing.T, w *NodeWorld) {
	cs := w.Clientset()
	ctx := context.Background()
	if out, err := w.KubectlErr(sleeperPod("eph", w.NodeName, `    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: local-volume
          resources: {requests: {storage: 8Mi}}
`), "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	pod, err := cs.CoreV1().Pods("default").Get(ctx, "eph", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	claim, err := cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, "eph-scratch", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		yes := true
		tmpl := pod.Spec.Volumes[0].Ephemeral.VolumeClaimTemplate
		claim, err = cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: "eph-scratch", OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID, Controller: &yes, BlockOwnerDeletion: &yes}}},
			Spec: tmpl.Spec,
		}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	pvName := "pvc-" + string(claim.UID)
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, ContractPV(pvName, w.NodeName, claim, "8Mi", corev1.PersistentVolumeFilesystem), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ForceDeletePV(cs, pvName) })
	BindByHand(t, cs, "default", "eph-scratch", pvName, "8Mi")
	w.waitReady(t, "eph")
	w.Kubectl("exec", "eph", "--", "dd", "if=/dev/zero", "of=/scratch/f", "bs=1M", "count=4")
	if out, err := w.KubectlErr("", "exec", "eph", "--", "dd", "if=/dev/zero", "of=/scratch/g", "bs=1M", "count=8"); err == nil || !strings.Contains(out, "No space left on device") {
		t.Fatalf("12Mi into an 8Mi ephemeral volume: %v\n%s", err, out)
	}
	w.Kubectl("delete", "pod", "eph", "--wait=true", "--timeout=90s")
	waitFor(t, 60*time.Second, "the claim to go with its pod", func() (bool, string) {
		_, err := cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, "eph-scratch", metav1.GetOptions{})
		return apierrors.IsNotFound(err), "still there"
	})
	deletePVAndWait(t, cs, pvName)
	assertNoStorageLeft(t, w, pvName)
}

// sleeperPod is a busybox pod on node that sleeps; rest continues the
// container (volumeMounts/volumeDevices) and adds the volumes.
func sleeperPod(name, node, rest string) string {
	return `apiVersion: v1
kind: Pod
metadata:
  name: ` + name + `
spec:
  nodeName: ` + node + `
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
` + rest
}

// testTokenVolumeOnNode: a projected serviceAccountToken is mounted when
// the server has the TokenRequest API, and fails the mount with a clear
// FailedMount event when it has not.
func testTokenVolumeOnNode(t *testing.T, w *NodeWorld) {
	// (the API wants serviceAccountName with a token projection)
	spec := strings.Replace(sleeperPod("tok", w.NodeName, `    volumeMounts:
    - {name: token, mountPath: /var/run/secrets/tokens}
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 3600}
      - downwardAPI:
          items: [{path: name, fieldRef: {fieldPath: metadata.name}}]
`), "spec:\n", "spec:\n  serviceAccountName: default\n", 1)
	if out, err := w.KubectlErr(spec, "apply", "-f", "-"); err != nil {
		t.Fatal(out)
	}
	waitFor(t, 60*time.Second, "the token mounted or a clear FailedMount", func() (bool, string) {
		if w.podField(t, "tok", `{.status.conditions[?(@.type=="Ready")].status}`) == "True" {
			out, err := w.KubectlErr("", "exec", "tok", "--", "cat", "/var/run/secrets/tokens/token")
			return err == nil && strings.Count(out, ".") == 2, "token: " + out
		}
		out, _ := w.KubectlErr("", "get", "events", "--field-selector", "involvedObject.name=tok,reason=FailedMount", "-o", "jsonpath={.items[*].message}")
		return strings.Contains(out, `MountVolume.SetUp failed for volume "token" : failed to fetch token`), out
	})
	w.Kubectl("delete", "pod", "tok", "--wait=true", "--timeout=90s")
}

// testStaticVolumesOnNode: administrator-made hostPath and local PVs are
// bind-mounted as they are; a ReadOnlyMany PV is mounted read-only.
func testStaticVolumesOnNode(t *testing.T, w *NodeWorld) {
	cs := w.Clientset()
	ctx := context.Background()
	hostDir := filepath.Join(w.Dir, "static-data")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hostDir, "hello"), []byte("from the node"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := ""
	for _, tc := range []struct {
		name string
		src  corev1.PersistentVolumeSource
		mode corev1.PersistentVolumeAccessMode
	}{
		{"static-hp", corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: hostDir}}, corev1.ReadWriteOnce},
		{"static-local", corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: hostDir}}, corev1.ReadOnlyMany},
	} {
		claim, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: tc.name},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{tc.mode}, StorageClassName: &empty,
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: tc.name}, Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			PersistentVolumeSource: tc.src, AccessModes: []corev1.PersistentVolumeAccessMode{tc.mode},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: "default", Name: tc.name, UID: claim.UID},
		}}
		if tc.src.Local != nil {
			pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{w.NodeName}}}}}}}
		}
		if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ForceDeletePV(cs, pv.Name) })
		BindByHand(t, cs, "default", tc.name, tc.name, "1Gi")
		if out, err := w.KubectlErr(sleeperPod(tc.name, w.NodeName, `    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: `+tc.name+`}
`), "apply", "-f", "-"); err != nil {
			t.Fatal(out)
		}
		w.waitReady(t, tc.name)
		if out := w.Kubectl("exec", tc.name, "--", "cat", "/data/hello"); out != "from the node" {
			t.Fatalf("%s: read %q", tc.name, out)
		}
		out, err := w.KubectlErr("", "exec", tc.name, "--", "touch", "/data/new")
		if readOnly := tc.mode == corev1.ReadOnlyMany; readOnly != (err != nil) || readOnly && !strings.Contains(out, "Read-only file system") {
			t.Fatalf("%s (%s): touch: %v %s", tc.name, tc.mode, err, out)
		}
		w.Kubectl("delete", "pod", tc.name, "--wait=true", "--timeout=90s")
		w.Kubectl("delete", "pvc", tc.name, "--wait=false")
	}
	if _, err := os.Stat(filepath.Join(hostDir, "hello")); err != nil {
		t.Fatalf("a static volume's data went: %v", err)
	}
}
