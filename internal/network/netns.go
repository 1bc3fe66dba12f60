package network

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// openNS opens a network namespace by path; "" means the namespace the
// process runs in. The handle must be closed.
func openNS(path string) (netns.NsHandle, error) {
	if path == "" {
		// No thread of ours is ever left in a foreign namespace, so the
		// calling thread's namespace is the process's.
		return netns.Get()
	}
	h, err := netns.GetFromPath(path)
	if err != nil {
		return netns.None(), fmt.Errorf("network: open network namespace %s: %w", path, err)
	}
	return h, nil
}

// inNetNS runs fn on a dedicated, locked OS thread that has joined ns, then
// moves the thread back. Needed for what netlink handles cannot do, i.e.
// /proc/sys/net, which shows the sysctls of the reading thread's namespace.
//
// A fresh goroutine is used so the caller's own thread state never matters.
// If the thread cannot be moved back it stays locked: the goroutine then
// exits locked and the Go runtime destroys the thread instead of reusing it
// in the wrong namespace.
func inNetNS(ns netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("network: get current network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			runtime.UnlockOSThread() // still in orig: safe to reuse
			errc <- fmt.Errorf("network: enter network namespace: %w", err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			slog.Error("network: cannot return thread to its network namespace; discarding thread", "err", err)
			errc <- errors.Join(ferr, err)
			return // exits locked: the runtime kills the thread
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// isNetNSMount reports whether path is a mounted namespace file (nsfs, or
// procfs on kernels older than 3.19).
func isNetNSMount(path string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, err
	}
	return st.Type == unix.NSFS_MAGIC || st.Type == unix.PROC_SUPER_MAGIC, nil
}

// createNetNS makes sure a new network namespace is bind-mounted at path.
// created is false when one was already there (idempotent re-setup).
//
// The namespace is made by unshare(CLONE_NEWNET) on a dedicated locked
// thread; bind-mounting the thread's /proc/<pid>/task/<tid>/ns/net onto
// path keeps it alive after the thread moves back. Mounting is per mount
// namespace, not per thread, so runc (started by the agent) sees it.
func createNetNS(path string) (created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("network: create netns dir: %w", err)
	}
	mounted, err := isNetNSMount(path)
	if err != nil {
		return false, fmt.Errorf("network: inspect %s: %w", path, err)
	}
	if mounted {
		return false, nil
	}
	// The mount point: an empty file. One left by a crash before the
	// mount is simply reused.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o444)
	if err != nil {
		return false, fmt.Errorf("network: create netns file: %w", err)
	}
	f.Close()

	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		newNS, err := netns.New() // unshare: this thread is now in the new namespace
		if err != nil {
			runtime.UnlockOSThread() // unshare failed, thread unchanged
			errc <- fmt.Errorf("unshare network namespace: %w", err)
			return
		}
		newNS.Close()
		src := fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
		merr := unix.Mount(src, path, "none", unix.MS_BIND, "")
		if err := netns.Set(orig); err != nil {
			slog.Error("network: cannot return thread to its network namespace; discarding thread", "err", err)
			errc <- errors.Join(merr, err)
			return // exits locked: the runtime kills the thread
		}
		runtime.UnlockOSThread()
		if merr != nil {
			merr = fmt.Errorf("bind-mount network namespace: %w", merr)
		}
		errc <- merr
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return false, fmt.Errorf("network: create network namespace %s: %w", path, err)
	}
	return true, nil
}

// removeNetNS unmounts and deletes a namespace file; missing or unmounted is
// fine. Once the last bind mount and the last process are gone the kernel
// frees the namespace, and with it the pod's end of the veth pair.
func removeNetNS(path string) error {
	// Unmount until it is no longer a mount: a crash-and-retry could in
	// principle have stacked two mounts.
	for i := 0; i < 4; i++ {
		mounted, err := isNetNSMount(path)
		if err != nil {
			return fmt.Errorf("network: inspect %s: %w", path, err)
		}
		if !mounted {
			break
		}
		// MNT_DETACH: succeed even if someone holds it open right now.
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("network: unmount %s: %w", path, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("network: remove %s: %w", path, err)
	}
	return nil
}
