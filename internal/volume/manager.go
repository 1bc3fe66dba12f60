package volume

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// Manager is the thin shell over the node's backing storage. Every method
// is idempotent and serialised per PV, so the PV watcher and pod workers
// may call them concurrently and again after an agent restart.
type Manager struct {
	Layout Layout
	Log    *slog.Logger
	// SysBlock is /sys/block (tests may point it elsewhere).
	SysBlock string
	// Online: this process may grow a mounted ext4 (CAP_SYS_RESOURCE);
	// without it filesystems get headroom (see capacity.go).
	Online bool

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// NewManager makes the storage directories.
func NewManager(l Layout, log *slog.Logger) (*Manager, error) {
	for _, d := range []string{filepath.Join(l.StorageDir(), "local-path"), filepath.Join(l.StorageDir(), "local-volume"), filepath.Join(l.RunDir, "storage", "local-volume")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Manager{Layout: l, Log: log, SysBlock: "/sys/block", Online: HasCapSysResource(), locks: map[string]*sync.Mutex{}}, nil
}

func (m *Manager) lock(pv string) func() {
	m.mu.Lock()
	l, ok := m.locks[pv]
	if !ok {
		l = &sync.Mutex{}
		m.locks[pv] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// capacityRecord holds the capacity a local-volume currently enforces;
// it is written last, so an interrupted expansion is retried.
func (m *Manager) capacityRecord(pv string) string { return m.Layout.ImagePath(pv) + ".capacity" }

func (m *Manager) recordedCapacity(pv string) (int64, bool) {
	b, err := os.ReadFile(m.capacityRecord(pv))
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

func (m *Manager) recordCapacity(pv string, n int64) error {
	tmp := m.capacityRecord(pv) + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(n, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, m.capacityRecord(pv))
}

// Observe reports the PV's backing storage as it is on disk.
func (m *Manager) Observe(pv *corev1.PersistentVolume) BackingState {
	switch Driver(pv) {
	case DriverLocalPath:
		_, err := os.Stat(m.Layout.LocalPathDir(pv.Name))
		return BackingState{Exists: err == nil}
	case DriverLocalVolume:
		if _, err := os.Stat(m.Layout.ImagePath(pv.Name)); err != nil {
			return BackingState{}
		}
		n, _ := m.recordedCapacity(pv.Name)
		return BackingState{Exists: true, Size: n}
	}
	return BackingState{}
}

// Ensure creates the PV's backing storage: a directory, or a sparse file
// of spec.capacity bytes formatted ext4 (not formatted in Block mode). The
// file appears under its final name only once complete.
func (m *Manager) Ensure(ctx context.Context, pv *corev1.PersistentVolume) error {
	defer m.lock(pv.Name)()
	switch Driver(pv) {
	case DriverLocalPath:
		dir := m.Layout.LocalPathDir(pv.Name)
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return err
		}
		return os.Chmod(dir, 0o777)
	case DriverLocalVolume:
		img := m.Layout.ImagePath(pv.Name)
		if _, err := os.Stat(img); err == nil {
			return nil
		}
		size, err := CapacityBytes(pv)
		if err != nil {
			return err
		}
		size = RoundUpMiB(size)
		fileSize := size
		if !IsBlock(pv) {
			fileSize = FSSize(size, m.Online)
		}
		tmp := img + ".tmp"
		if err := createSparse(tmp, fileSize); err != nil {
			return err
		}
		if !IsBlock(pv) {
			// no root-reserved blocks (the claim's size is what it gets),
			// inodes for the claim's size, not the headroom's
			inodes := strconv.FormatInt(max(size/16384, 1024), 10)
			if err := run(ctx, "mkfs.ext4", "-F", "-q", "-m", "0", "-N", inodes, "-E", "lazy_itable_init=1,lazy_journal_init=1", tmp); err != nil {
				_ = os.Remove(tmp)
				return err
			}
		}
		if err := m.recordCapacity(pv.Name, size); err != nil {
			return err
		}
		return os.Rename(tmp, img)
	}
	return fmt.Errorf("persistentvolume %q: not a berth volume", pv.Name)
}

// IsBlock says whether the PV is a raw block volume.
func IsBlock(pv *corev1.PersistentVolume) bool {
	return pv.Spec.VolumeMode != nil && *pv.Spec.VolumeMode == corev1.PersistentVolumeBlock
}

func createSparse(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		_ = os.Remove(path)
		return err
	}
	return f.Close()
}

// Stage makes the PV usable by pods on this node and returns the host path
// pods bind: the directory (local-path) or the staging mount of the ext4
// filesystem (local-volume; attached and mounted once per node).
func (m *Manager) Stage(ctx context.Context, pv *corev1.PersistentVolume) (string, error) {
	if Driver(pv) == DriverLocalPath {
		if err := m.Ensure(ctx, pv); err != nil {
			return "", err
		}
		return m.Layout.LocalPathDir(pv.Name), nil
	}
	if IsBlock(pv) {
		return "", fmt.Errorf("persistentvolume %q is a block volume; use it through volumeDevices", pv.Name)
	}
	if err := m.Ensure(ctx, pv); err != nil {
		return "", err
	}
	defer m.lock(pv.Name)()
	dir := m.Layout.StagingDir(pv.Name)
	mounts, err := ReadMountInfo()
	if err != nil {
		return "", err
	}
	if _, ok := FindMount(mounts, dir); ok {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	img := m.Layout.ImagePath(pv.Name)
	// A device still attached (a mount held by a container outlived the
	// staging mount) is reused: a second device would mount the same
	// filesystem twice.
	var dev string
	var f *os.File
	if devs := LoopFor(LoopBackings(m.SysBlock), img); len(devs) > 0 {
		dev = devs[0]
		f, err = os.OpenFile(dev, os.O_RDWR, 0)
	} else {
		dev, f, err = AttachLoop(img, true)
	}
	if err != nil {
		return "", fmt.Errorf("attaching %s: %w", img, err)
	}
	// The open descriptor holds the device until the mount does; closing
	// it after a failed mount lets autoclear detach it, and we detach
	// explicitly too.
	defer f.Close()
	flags, data := MountFlags(pv.Spec.MountOptions)
	if err := unix.Mount(dev, dir, "ext4", flags, data); err != nil {
		f.Close()
		_ = DetachLoop(dev)
		return "", fmt.Errorf("mounting %s (%s) at %s: %w", img, dev, dir, err)
	}
	if n, ok := m.recordedCapacity(pv.Name); ok {
		if err := enforceCapacity(dir, dev, n); err != nil {
			_ = unix.Unmount(dir, 0)
			f.Close()
			_ = DetachLoop(dev)
			return "", err
		}
	}
	m.Log.Info("staged local volume", "pv", pv.Name, "device", dev, "at", dir)
	return dir, nil
}

// BlockDevice attaches a Block-mode local-volume (without autoclear: no
// mount holds it) and returns the loop device; an existing attachment is
// reused.
func (m *Manager) BlockDevice(ctx context.Context, pv *corev1.PersistentVolume) (string, error) {
	if err := m.Ensure(ctx, pv); err != nil {
		return "", err
	}
	defer m.lock(pv.Name)()
	img := m.Layout.ImagePath(pv.Name)
	if devs := LoopFor(LoopBackings(m.SysBlock), img); len(devs) > 0 {
		return devs[0], nil
	}
	dev, f, err := AttachLoop(img, false)
	if err != nil {
		return "", err
	}
	f.Close()
	return dev, nil
}

// Unstage unmounts the staging mount and detaches every loop device of the
// PV's file. Nothing staged is fine.
func (m *Manager) Unstage(pvName string) error {
	defer m.lock(pvName)()
	return m.unstage(pvName)
}

func (m *Manager) unstage(pvName string) error {
	dir := m.Layout.StagingDir(pvName)
	mounts, err := ReadMountInfo()
	if err != nil {
		return err
	}
	for {
		if _, ok := FindMount(mounts, dir); !ok {
			break
		}
		if err := unix.Unmount(dir, 0); err != nil {
			if !errors.Is(err, unix.EBUSY) {
				return fmt.Errorf("unmounting %s: %w", dir, err)
			}
			if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
				return fmt.Errorf("unmounting %s: %w", dir, err)
			}
		}
		if mounts, err = ReadMountInfo(); err != nil {
			return err
		}
	}
	_ = os.Remove(dir)
	for _, dev := range LoopFor(LoopBackings(m.SysBlock), m.Layout.ImagePath(pvName)) {
		if err := DetachLoop(dev); err != nil {
			return err
		}
	}
	return nil
}

// Staged says whether a local-volume is mounted at its staging directory.
func (m *Manager) Staged(pvName string) bool {
	mounts, err := ReadMountInfo()
	if err != nil {
		return false
	}
	_, ok := FindMount(mounts, m.Layout.StagingDir(pvName))
	return ok
}

// Delete removes the PV's backing storage after unstaging it.
func (m *Manager) Delete(pv *corev1.PersistentVolume) error {
	defer m.lock(pv.Name)()
	switch Driver(pv) {
	case DriverLocalPath:
		return os.RemoveAll(m.Layout.LocalPathDir(pv.Name))
	case DriverLocalVolume:
		if err := m.unstage(pv.Name); err != nil {
			return err
		}
		for _, p := range []string{m.Layout.ImagePath(pv.Name), m.Layout.ImagePath(pv.Name) + ".tmp", m.capacityRecord(pv.Name)} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// Expand grows a local-volume to spec.capacity online. When the
// filesystem is smaller than the new capacity, the file, the loop device
// and the filesystem grow (resize2fs on the mounted device; checked and
// resized offline when unmounted); then the mounted filesystem's
// reservation is lowered to the new capacity. The new capacity is
// recorded last, so an interrupted expansion is retried.
func (m *Manager) Expand(ctx context.Context, pv *corev1.PersistentVolume) error {
	if Driver(pv) != DriverLocalVolume {
		return nil
	}
	want, err := CapacityBytes(pv)
	if err != nil {
		return err
	}
	want = RoundUpMiB(want)
	defer m.lock(pv.Name)()
	img := m.Layout.ImagePath(pv.Name)
	st, err := os.Stat(img)
	if err != nil {
		return err
	}
	devs := LoopFor(LoopBackings(m.SysBlock), img)
	mounts, err := ReadMountInfo()
	if err != nil {
		return err
	}
	mnt, mounted := FindMount(mounts, m.Layout.StagingDir(pv.Name))
	if st.Size() < want {
		grown := want
		if !IsBlock(pv) {
			grown = FSSize(want, m.Online)
		}
		if err := os.Truncate(img, grown); err != nil {
			return err
		}
		for _, dev := range devs {
			if err := RefreshLoopCapacity(dev); err != nil {
				return err
			}
		}
		if !IsBlock(pv) {
			switch {
			case mounted:
				err = run(ctx, "resize2fs", mnt.Source)
			case len(devs) > 0:
				err = run(ctx, "resize2fs", devs[0])
			default:
				if err = run(ctx, "e2fsck", "-f", "-p", img); err == nil {
					err = run(ctx, "resize2fs", img)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	if mounted {
		if err := enforceCapacity(mnt.MountPoint, mnt.Source, want); err != nil {
			return err
		}
	}
	m.Log.Info("expanded local volume", "pv", pv.Name, "bytes", want)
	return m.recordCapacity(pv.Name, want)
}

func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}
