package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestClaimBindReport measures claim → Bound latency on local-path:
// Immediate (create the claim → Bound) and WaitForFirstConsumer (create
// the claim and a pod using it → claim Bound, which includes scheduling
// the pod and provisioning on the chosen node). The baseline, in the same
// run, is the scheduler alone: a pod without a claim, create → bound to a
// node. Sequential, one at a time, polled every 5 ms:
//
//	sudo BERTH_BENCH=1 go test -run TestClaimBindReport -v -timeout 20m ./bench/
func TestClaimBindReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1")
	}
	w := e2e.NewNodeWorld(t)
	cs := w.Clientset()
	ctx := context.Background()
	immediate := storagev1.VolumeBindingImmediate
	if _, err := cs.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{Name: "bench-immediate"}, Provisioner: "berth.dev/local-path", VolumeBindingMode: &immediate,
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const runs = 20
	var imm, wffc, sched []time.Duration
	for i := 0; i < runs; i++ {
		// the scheduler alone
		p := pod(fmt.Sprintf("plain-%d", i))
		start := time.Now()
		if _, err := cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, func() bool {
			got, err := cs.CoreV1().Pods("default").Get(ctx, p.Name, metav1.GetOptions{})
			return err == nil && got.Spec.NodeName != ""
		})
		sched = append(sched, time.Since(start))

		// Immediate
		name := fmt.Sprintf("imm-%d", i)
		start = time.Now()
		createClaim(t, cs, name, "bench-immediate")
		waitBound(t, cs, name)
		imm = append(imm, time.Since(start))

		// WaitForFirstConsumer (the default class)
		name = fmt.Sprintf("wffc-%d", i)
		q := pod(name)
		q.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name}}}}
		start = time.Now()
		createClaim(t, cs, name, "local-path")
		if _, err := cs.CoreV1().Pods("default").Create(ctx, q, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitBound(t, cs, name)
		wffc = append(wffc, time.Since(start))
	}
	t.Logf("\n| %d runs each, sequential | p50 | p99 | p50 / baseline p50 |\n| --- | --- | --- | --- |\n"+
		"| baseline: pod without a claim, create → scheduled | %v | %v | 1 |\n"+
		"| Immediate claim, create → Bound | %v | %v | %.2f |\n"+
		"| WaitForFirstConsumer claim + pod, create → claim Bound | %v | %v | %.2f |\n",
		runs, pct(sched, 50), pct(sched, 99),
		pct(imm, 50), pct(imm, 99), float64(pct(imm, 50))/float64(pct(sched, 50)),
		pct(wffc, 50), pct(wffc, 99), float64(pct(wffc, 50))/float64(pct(sched, 50)))
}

func createClaim(t *testing.T, cs kubernetes.Interface, name, class string) {
	t.Helper()
	_, err := cs.CoreV1().PersistentVolumeClaims("default").Create(context.Background(), &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: &class,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Mi")}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func waitBound(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	waitUntil(t, func() bool {
		c, err := cs.CoreV1().PersistentVolumeClaims("default").Get(context.Background(), name, metav1.GetOptions{})
		return err == nil && c.Status.Phase == corev1.ClaimBound
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
