package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Loop devices through the kernel's ioctls: LOOP_CTL_GET_FREE picks a free
// device, LOOP_CONFIGURE binds the file in one step. Another process may
// take the same free device between the two calls; LOOP_CONFIGURE then
// fails with EBUSY and we ask for another one.

// AttachLoop binds file to a free loop device and returns its path and an
// open descriptor of it (the caller closes it once something else — a
// mount — holds the device). With autoclear the kernel detaches the device
// when its last user goes, so a lost mount never leaks a device.
func AttachLoop(file string, autoclear bool) (string, *os.File, error) {
	backing, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		return "", nil, err
	}
	defer backing.Close()
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		return "", nil, err
	}
	defer ctl.Close()
	// Direct I/O on the backing file: no second copy of every page in the
	// page cache (the kernel falls back to buffered I/O where the backing
	// filesystem cannot do it).
	flags := uint32(unix.LO_FLAGS_DIRECT_IO)
	if autoclear {
		flags |= unix.LO_FLAGS_AUTOCLEAR
	}
	for try := 0; try < 20; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return "", nil, fmt.Errorf("LOOP_CTL_GET_FREE: %w", err)
		}
		dev := fmt.Sprintf("/dev/loop%d", n)
		f, err := openLoop(dev, n)
		if err != nil {
			return "", nil, err
		}
		cfg := unix.LoopConfig{Fd: uint32(backing.Fd())}
		cfg.Info.Flags = flags
		copy(cfg.Info.File_name[:], file)
		err = unix.IoctlLoopConfigure(int(f.Fd()), &cfg)
		if err == nil {
			return dev, f, nil
		}
		f.Close()
		if !errors.Is(err, unix.EBUSY) {
			return "", nil, fmt.Errorf("LOOP_CONFIGURE %s: %w", dev, err)
		}
		time.Sleep(time.Duration(try+1) * 5 * time.Millisecond)
	}
	return "", nil, fmt.Errorf("no free loop device for %s", file)
}

// openLoop opens a loop device node, creating it when the /dev the process
// sees lacks it (the kernel made the device, but a private /dev may not
// show it).
func openLoop(dev string, n int) (*os.File, error) {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		if merr := unix.Mknod(dev, unix.S_IFBLK|0o660, int(unix.Mkdev(7, uint32(n)))); merr != nil && !errors.Is(merr, os.ErrExist) {
			return nil, fmt.Errorf("creating %s: %w", dev, merr)
		}
		f, err = os.OpenFile(dev, os.O_RDWR, 0)
	}
	return f, err
}

// DetachLoop unbinds a loop device. A device already detached is fine.
func DetachLoop(dev string) error {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer f.Close()
	if err := unix.IoctlSetInt(int(f.Fd()), unix.LOOP_CLR_FD, 0); err != nil && !errors.Is(err, unix.ENXIO) {
		return fmt.Errorf("LOOP_CLR_FD %s: %w", dev, err)
	}
	return nil
}

// RefreshLoopCapacity makes the device follow its grown backing file
// (`losetup -c`).
func RefreshLoopCapacity(dev string) error {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.IoctlSetInt(int(f.Fd()), unix.LOOP_SET_CAPACITY, 0); err != nil {
		return fmt.Errorf("LOOP_SET_CAPACITY %s: %w", dev, err)
	}
	return nil
}

// LoopBackings lists attached loop devices and their backing files from
// /sys/block/loop*/loop/backing_file (device path → file).
func LoopBackings(sysBlock string) map[string]string {
	out := map[string]string{}
	entries, _ := filepath.Glob(filepath.Join(sysBlock, "loop*", "loop", "backing_file"))
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		name := filepath.Base(filepath.Dir(filepath.Dir(e)))
		out["/dev/"+name] = strings.TrimSpace(string(b))
	}
	return out
}

// LoopFor returns the devices backed by file (normally at most one).
// The kernel appends " (deleted)" to a file removed while attached.
func LoopFor(backings map[string]string, file string) []string {
	var out []string
	for dev, f := range backings {
		if f == file || f == file+" (deleted)" {
			out = append(out, dev)
		}
	}
	sort.Strings(out)
	return out
}
