package volume

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// rootManager gives the test goroutine's thread a private mount namespace
// (its mounts vanish with the thread) and detaches every loop device of
// the test's files at the end, also when the test fails.
func rootManager(t *testing.T) *Manager {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (loop devices, mounts)")
	}
	for _, bin := range []string{"mkfs.ext4", "resize2fs", "e2fsck"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh installs e2fsprogs)", bin)
		}
	}
	runtime.LockOSThread() // never unlocked: the thread dies with the test goroutine
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		t.Skipf("unshare mount namespace: %v", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := NewManager(Layout{RootDir: filepath.Join(dir, "root"), RunDir: filepath.Join(dir, "run")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ms, err := ReadMountInfo(); err == nil {
			for i := len(ms) - 1; i >= 0; i-- {
				if strings.HasPrefix(ms[i].MountPoint, dir) {
					_ = unix.Unmount(ms[i].MountPoint, unix.MNT_DETACH)
				}
			}
		}
		for dev, f := range LoopBackings("/sys/block") {
			if strings.HasPrefix(f, dir) {
				_ = DetachLoop(dev)
			}
		}
	})
	return m
}

func writeMiB(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for i := 0; i < n; i++ {
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestLocalVolumeLifecycle(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	pv := testPV("pvc-life", DriverLocalVolume, "n1", "10Mi")
	if err := m.Ensure(ctx, pv); err != nil {
		t.Fatal(err)
	}
	if st := m.Observe(pv); !st.Exists || st.Size != 10<<20 {
		t.Fatalf("after ensure: %+v", st)
	}
	dir, err := m.Stage(ctx, pv)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := m.Stage(ctx, pv); err != nil || again != dir {
		t.Fatalf("second stage: %v %v", again, err)
	}
	img := m.Layout.ImagePath(pv.Name)
	if devs := LoopFor(LoopBackings(m.SysBlock), img); len(devs) != 1 {
		t.Fatalf("want one loop device, got %v", devs)
	}
	err = writeMiB(filepath.Join(dir, "big"), 20)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing 20Mi into 10Mi: %v, want ENOSPC", err)
	}
	_ = os.Remove(filepath.Join(dir, "big"))

	pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("30Mi")
	if got := Plan(pv, m.Observe(pv), true); got != ActionExpand {
		t.Fatalf("plan after growth: %s", got)
	}
	if err := m.Expand(ctx, pv); err != nil {
		t.Fatal(err)
	}
	if err := writeMiB(filepath.Join(dir, "big"), 20); err != nil {
		t.Fatalf("writing 20Mi after growing to 30Mi: %v", err)
	}
	if got := Plan(pv, m.Observe(pv), true); got != ActionNone {
		t.Fatalf("plan after expansion: %s", got)
	}

	if err := m.Unstage(pv.Name); err != nil {
		t.Fatal(err)
	}
	if m.Staged(pv.Name) {
		t.Fatal("still staged")
	}
	if devs := LoopFor(LoopBackings(m.SysBlock), img); len(devs) != 0 {
		t.Fatalf("loop devices left: %v", devs)
	}
	// offline expansion, then the data is still there
	pv.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("40Mi")
	if err := m.Expand(ctx, pv); err != nil {
		t.Fatal(err)
	}
	if dir, err = m.Stage(ctx, pv); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "big")); err != nil || st.Size() != 20<<20 {
		t.Fatalf("data after restage: %v %v", st, err)
	}
	if err := m.Delete(pv); err != nil {
		t.Fatal(err)
	}
	if m.Staged(pv.Name) || m.Observe(pv).Exists {
		t.Fatal("delete left the mount or the file")
	}
	if devs := LoopFor(LoopBackings(m.SysBlock), img); len(devs) != 0 {
		t.Fatalf("loop devices left: %v", devs)
	}
}

func TestBlockVolume(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	pv := testPV("pvc-block", DriverLocalVolume, "n1", "4Mi")
	block := corev1.PersistentVolumeBlock
	pv.Spec.VolumeMode = &block
	dev, err := m.BlockDevice(ctx, pv)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := m.BlockDevice(ctx, pv); err != nil || again != dev {
		t.Fatalf("reattach: %v %v", again, err)
	}
	if _, err := m.Stage(ctx, pv); err == nil {
		t.Fatal("staging a block volume should fail")
	}
	if err := m.Delete(pv); err != nil {
		t.Fatal(err)
	}
	if devs := LoopFor(LoopBackings(m.SysBlock), m.Layout.ImagePath(pv.Name)); len(devs) != 0 {
		t.Fatalf("loop devices left: %v", devs)
	}
}

func TestLocalPath(t *testing.T) {
	m := rootManager(t)
	pv := testPV("pvc-dir", DriverLocalPath, "n1", "1Gi")
	dir, err := m.Stage(context.Background(), pv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(pv); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory left: %v", err)
	}
}
