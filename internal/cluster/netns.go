package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netnsDir is where `ip netns` keeps named network namespaces.
const netnsDir = "/run/netns"

func netnsPath(name string) string { return filepath.Join(netnsDir, name) }

// run runs a helper program, folding its output into the error.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// addNetNS creates a named network namespace with iproute2, which also
// makes /run/netns a shared mount, so the namespace file (and its later
// removal) propagates to mount namespaces created afterwards.
func addNetNS(name string) error { return run("ip", "netns", "add", name) }

// delNetNS removes a named network namespace; a missing one is fine.
func delNetNS(name string) error {
	if _, err := os.Lstat(netnsPath(name)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if isNSMount(netnsPath(name)) {
		return run("ip", "netns", "delete", name)
	}
	// a file left without its mount (e.g. ip killed half-way)
	return os.Remove(netnsPath(name))
}

// clusterNetNSes finds the node namespaces of a cluster in /run/netns by
// name, whatever the state file says.
func clusterNetNSes(cluster string) map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir(netnsDir)
	for _, e := range entries {
		if i, ok := parseNodeNetNS(cluster, e.Name()); ok {
			out[i] = e.Name()
		}
	}
	return out
}

func sortedKeys(m map[int]string) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// inNetNS runs fn on a locked OS thread that has joined the network
// namespace at path — for /proc/sys/net, which shows the namespace of the
// reading thread. If the thread cannot return, it stays locked and the Go
// runtime discards it with the goroutine.
func inNetNS(path string, fn func() error) error {
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer target.Close()
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
		if err := netns.Set(target); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter network namespace %s: %w", path, err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			slog.Error("cluster: cannot return thread to its network namespace; discarding it", "err", err)
			errc <- errors.Join(ferr, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// enableForwarding sets net.ipv4.ip_forward=1 inside a node namespace.
func enableForwarding(nsPath string) error {
	return inNetNS(nsPath, func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644)
	})
}

// currentNetNSID identifies the network namespace this process runs in.
func currentNetNSID() string {
	id, err := nsIDOf("/proc/self/ns/net")
	if err != nil {
		return ""
	}
	return id.String()
}

// pinMountNS creates a mount namespace for a node and pins it at file by a
// bind mount, so it outlives the node's processes (an agent restart finds
// its pods' mounts) and delete can enter it. Mounts of the current
// namespace propagate into it (slave), none come back out. The pin file
// is first made a private mount of its own: a namespace file cannot be
// bind-mounted onto a shared mount.
func pinMountNS(file string) error {
	if isNSMount(file) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDONLY, 0o444)
	if err != nil {
		return err
	}
	f.Close()
	if err := unix.Mount(file, file, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mounting %s: %w", file, err)
	}
	if err := unix.Mount("", file, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making %s private: %w", file, err)
	}
	return run("unshare", "--mount="+file, "--propagation", "slave", "true")
}

// inMountNS runs a program inside a pinned mount namespace (Go cannot
// setns into a mount namespace from a multi-threaded process).
func inMountNS(pin string, name string, args ...string) ([]byte, error) {
	return exec.Command("nsenter", append([]string{"--mount=" + pin, "--", name}, args...)...).Output()
}
