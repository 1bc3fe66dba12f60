package bench

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/volume"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestLocalVolumeIOReport compares I/O on a berth.dev/local-volume (sparse
// ext4 file on a loop device, as the agent stages it) with the raw
// filesystem holding the file, in the same run, alternating sides:
//
//	sudo BERTH_BENCH=1 go test -run TestLocalVolumeIOReport -v ./bench/
func TestLocalVolumeIOReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (loop devices, mounts)")
	}
	runtime.LockOSThread() // never unlocked: the mount namespace dies with the thread
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		t.Skip(err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("/var/tmp", "berth-io-bench-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	m, err := volume.NewManager(volume.Layout{RootDir: filepath.Join(dir, "root"), RunDir: filepath.Join(dir, "run")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pvc-bench"}, Spec: corev1.PersistentVolumeSpec{
		Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("256Mi")},
		PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: volume.DriverLocalVolume, VolumeHandle: "pvc-bench"}},
	}}
	ctx := context.Background()
	vol, err := m.Stage(ctx, pv)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Delete(pv); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}()
	raw := filepath.Join(dir, "raw")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		t.Fatal(err)
	}

	const rounds = 3
	type result struct{ seq, rnd []float64 }
	var rv, rr result
	for i := 0; i < rounds; i++ {
		for _, side := range []struct {
			dir string
			r   *result
		}{{vol, &rv}, {raw, &rr}} {
			s, err := seqWrite(side.dir, 64)
			if err != nil {
				t.Fatal(err)
			}
			r, err := randWrite(side.dir, 32, 4096)
			if err != nil {
				t.Fatal(err)
			}
			side.r.seq = append(side.r.seq, s)
			side.r.rnd = append(side.r.rnd, r)
		}
	}
	med := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	var b strings.Builder
	fmt.Fprintf(&b, "\n| workload (median of %d) | local-volume | raw filesystem | ratio |\n| --- | --- | --- | --- |\n", rounds)
	sv, sr := med(rv.seq), med(rr.seq)
	fmt.Fprintf(&b, "| sequential write 64 MiB, 1 MiB blocks, fsync | %.0f MiB/s | %.0f MiB/s | %.2f |\n", sv, sr, sv/sr)
	nv, nr := med(rv.rnd), med(rr.rnd)
	fmt.Fprintf(&b, "| random 4 KiB writes in 32 MiB, fsync every 64 | %.0f IOPS | %.0f IOPS | %.2f |\n", nv, nr, nv/nr)
	t.Log(b.String())
}

// seqWrite writes n MiB in 1 MiB blocks and fsyncs; MiB/s.
func seqWrite(dir string, n int) (float64, error) {
	p := filepath.Join(dir, "seq")
	defer os.Remove(p)
	f, err := os.Create(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(buf)
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// randWrite writes 4 KiB blocks at random offsets of an n MiB file
// (preallocated), fsyncing every 64 writes; writes per second.
func randWrite(dir string, n int, ops int) (float64, error) {
	p := filepath.Join(dir, "rand")
	defer os.Remove(p)
	f, err := os.Create(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	size := int64(n) << 20
	if err := unix.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	buf := make([]byte, 4096)
	rng := rand.New(rand.NewSource(2))
	start := time.Now()
	for i := 0; i < ops; i++ {
		off := rng.Int63n(size/4096) * 4096
		if _, err := f.WriteAt(buf, off); err != nil {
			return 0, err
		}
		if i%64 == 63 {
			if err := f.Sync(); err != nil {
				return 0, err
			}
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return float64(ops) / time.Since(start).Seconds(), nil
}
