package volume_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/berth-project/berth/internal/controller/volume"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
	"github.com/berth-project/berth/internal/scheduler"
)

// bindPods does what the API server's pods/binding does.
func bindPods(client *fake.Clientset) clienttesting.ReactionFunc {
	return func(action clienttesting.Action) (bool, runtime.Object, error) {
		create, ok := action.(clienttesting.CreateAction)
		if !ok || action.GetSubresource() != "binding" {
			return false, nil, nil
		}
		b := create.GetObject().(*corev1.Binding)
		obj, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), b.Namespace, b.Name)
		if err != nil {
			return true, nil, err
		}
		pod := obj.(*corev1.Pod).DeepCopy()
		pod.Spec.NodeName = b.Target.Name
		return true, b, client.Tracker().Update(corev1.SchemeGroupVersion.WithResource("pods"), pod, b.Namespace)
	}
}

func node(name, storage string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110"),
				storageutil.CapacityResource: resource.MustParse(storage)},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	}
}

// TestDynamicWaitForFirstConsumer runs the scheduler and the storage
// controllers together: a pod's claim on a WaitForFirstConsumer class of
// berth.dev/local-volume is provisioned on the node with room, bound, and
// only then is the pod bound to that node.
func TestDynamicWaitForFirstConsumer(t *testing.T) {
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	expandable := true
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "local-volume"}, Provisioner: storageutil.DriverLocalVolume,
		VolumeBindingMode: &wffc, Parameters: map[string]string{"fsType": "ext4"}, AllowVolumeExpansion: &expandable}
	sc := "local-volume"
	claim := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "data", UID: "claim-uid"},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &sc, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10M")}}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "pod-uid"},
		Spec: corev1.PodSpec{SchedulerName: scheduler.DefaultSchedulerName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}
	client := fake.NewClientset(node("small", "5Mi"), node("big", "1Gi"), class, claim, pod)
	client.PrependReactor("create", "pods", bindPods(client))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sched, err := scheduler.New(client, scheduler.Options{VolumeBinding: true, InitialBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = sched.Run(ctx, 1) }()
	volume.Start(ctx, client)

	deadline := time.Now().Add(20 * time.Second)
	for {
		p, _ := client.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{})
		c, _ := client.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
		if p.Spec.NodeName != "" && c.Status.Phase == corev1.ClaimBound {
			if p.Spec.NodeName != "big" || c.Annotations[storageutil.AnnSelectedNode] != "big" {
				t.Fatalf("pod on %q, selected-node %q; want big (small has no room)", p.Spec.NodeName, c.Annotations[storageutil.AnnSelectedNode])
			}
			if c.Spec.VolumeName != "pvc-claim-uid" || c.Annotations[storageutil.AnnBindCompleted] != "yes" {
				t.Fatalf("claim %+v", c.ObjectMeta)
			}
			if q := c.Status.Capacity[corev1.ResourceStorage]; q.Value() != 10<<20 {
				t.Fatalf("claim capacity %s, want 10Mi (rounded up to whole MiB)", q.String())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not bound: pod node %q, claim %+v / %+v", p.Spec.NodeName, c.ObjectMeta.Annotations, c.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	pv, err := client.CoreV1().PersistentVolumes().Get(ctx, "pvc-claim-uid", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Status.Phase != corev1.VolumeBound || pv.Spec.CSI.VolumeAttributes[storageutil.NodeAttribute] != "big" {
		t.Fatalf("volume %+v", pv)
	}

	// Growing the claim grows the volume and leaves the filesystem to the
	// node (FileSystemResizePending); 30Mi more fits on "big".
	c, _ := client.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
	c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("30Mi")
	if _, err := client.CoreV1().PersistentVolumeClaims("default").Update(ctx, c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		pv, _ := client.CoreV1().PersistentVolumes().Get(ctx, "pvc-claim-uid", metav1.GetOptions{})
		c, _ := client.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
		size := pv.Spec.Capacity[corev1.ResourceStorage]
		if size.Value() == 30<<20 && len(c.Status.Conditions) == 1 &&
			c.Status.Conditions[0].Type == corev1.PersistentVolumeClaimFileSystemResizePending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not expanded: pv %s, claim conditions %+v", size.String(), c.Status.Conditions)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Deleting the claim releases the volume; with policy Delete the PV
	// object is deleted (the agent's finalizer would then hold it).
	if err := client.CoreV1().PersistentVolumeClaims("default").Delete(ctx, "data", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, err := client.CoreV1().PersistentVolumes().Get(ctx, "pvc-claim-uid", metav1.GetOptions{}); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("released volume of policy Delete was not deleted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
