package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestPodVolumeStartReport compares pod start latency (create → Ready)
// of a pod with a local-volume claim (already bound, its backing file
// already made: the cost measured is staging — loop attach and mount — and
// the bind into the container) against the same pod without a volume,
// alternating, in one node world:
//
//	sudo BERTH_BENCH=1 go test -run TestPodVolumeStartReport -v -timeout 20m ./bench/
func TestPodVolumeStartReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1")
	}
	w := e2e.NewNodeWorld(t)
	cs := w.Clientset()
	ctx := context.Background()
	const runs = 10
	class := "local-volume"
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("vol-%d", i)
		claim, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: &class,
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("16Mi")}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pvName := "pvc-" + string(claim.UID)
		if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, e2e.ContractPV(pvName, w.NodeName, claim, "16Mi", corev1.PersistentVolumeFilesystem), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e2e.ForceDeletePV(cs, pvName) })
		e2e.BindByHand(t, cs, "default", name, pvName, "16Mi")
		img := filepath.Join(w.StorageDir(), "local-volume", pvName+".img")
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(img); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never made", img)
			}
		}
	}
	var with, without []time.Duration
	for i := 0; i < runs; i++ {
		plain := pod(fmt.Sprintf("novol-%d", i))
		without = append(without, createPodsAndWaitReady(t, cs, []*corev1.Pod{plain})...)
		deleteAndWaitGone(t, cs, []string{plain.Name})

		p := pod(fmt.Sprintf("vol-%d", i))
		p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: p.Name}}}}
		with = append(with, createPodsAndWaitReady(t, cs, []*corev1.Pod{p})...)
		deleteAndWaitGone(t, cs, []string{p.Name})
	}
	t.Logf("\n| pod (%d runs each, alternating) | create → Ready p50 | p99 |\n| --- | --- | --- |\n| without a volume | %v | %v |\n| with a local-volume claim | %v | %v |\n\nratio of medians: %.2f\n",
		runs, pct(without, 50), pct(without, 99), pct(with, 50), pct(with, 99), float64(pct(with, 50))/float64(pct(without, 50)))
}
