package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// nsID identifies a namespace: device and inode of its nsfs file.
type nsID struct{ Dev, Ino uint64 }

func (n nsID) String() string { return fmt.Sprintf("%d:%d", n.Dev, n.Ino) }

// nsIDOf stats a namespace file (/run/netns/X, /proc/PID/ns/net, a pin).
func nsIDOf(path string) (nsID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nsID{}, err
	}
	return nsID{Dev: uint64(st.Dev), Ino: st.Ino}, nil
}

// isNSMount reports whether path is a mounted namespace file (nsfs).
func isNSMount(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return st.Type == unix.NSFS_MAGIC
}

// allPIDs lists the processes in /proc, except this one.
func allPIDs() []int {
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// pidsInNamespace returns the processes whose namespace of kind ("net",
// "mnt") is id — what `ip netns pids` does for network namespaces.
func pidsInNamespace(kind string, id nsID) []int {
	var out []int
	for _, pid := range allPIDs() {
		if got, err := nsIDOf(fmt.Sprintf("/proc/%d/ns/%s", pid, kind)); err == nil && got == id {
			out = append(out, pid)
		}
	}
	return out
}

// pidsWithArg returns the processes one of whose arguments contains s.
func pidsWithArg(s string) []int {
	var out []int
	for _, pid := range allPIDs() {
		if cmdlineContains(pid, s) {
			out = append(out, pid)
		}
	}
	return out
}

func cmdlineContains(pid int, s string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(b, []byte(s))
}

// parseStatState returns the state letter of a /proc/PID/stat line; the
// command name may hold spaces and parentheses, so the last ')' counts.
func parseStatState(stat string) (byte, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return 0, false
	}
	return stat[i+2], true
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	st, ok := parseStatState(string(b))
	return ok && st != 'Z' && st != 'X'
}

// readPIDFile returns the pid in file, 0 if there is none.
func readPIDFile(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// killAll sends SIGTERM to pids, waits up to grace for them to end, then
// SIGKILLs the rest and waits for them.
func killAll(pids []int, grace time.Duration) error {
	pids = uniqueInts(pids)
	if len(pids) == 0 {
		return nil
	}
	slog.Debug("cluster: stopping processes", "pids", pids)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	if waitGone(pids, grace) {
		return nil
	}
	for _, pid := range pids {
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if waitGone(pids, 10*time.Second) {
		return nil
	}
	var left []string
	for _, pid := range pids {
		if alive(pid) {
			left = append(left, strconv.Itoa(pid))
		}
	}
	return fmt.Errorf("processes %s did not end", strings.Join(left, ", "))
}

func waitGone(pids []int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		all := true
		for _, pid := range pids {
			if alive(pid) {
				all = false
				break
			}
		}
		if all {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func uniqueInts(in []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// nodeCgroupDirs are the cgroup directories of a node's containers: the
// agent gives runc the path /berth/<node name>/pod<uid>/<id>, which is
// <root>/berth/<node> on cgroup v2 and <root>/<controller>/berth/<node> on
// v1.
func nodeCgroupDirs(root, nodeName string) []string {
	var out []string
	if fi, err := os.Stat(filepath.Join(root, "berth", nodeName)); err == nil && fi.IsDir() {
		out = append(out, filepath.Join(root, "berth", nodeName))
	}
	matches, _ := filepath.Glob(filepath.Join(root, "*", "berth", nodeName))
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.IsDir() {
			out = append(out, m)
		}
	}
	return out
}

// cgroupTree lists dir and all directories below it, deepest first, and
// the pids in their cgroup.procs files.
func cgroupTree(dir string) (dirs []string, pids []int) {
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if d.Name() == "cgroup.procs" {
			b, _ := os.ReadFile(p)
			pids = append(pids, parsePIDList(string(b))...)
		}
		return nil
	})
	for i, j := 0, len(dirs)-1; i < j; i, j = i+1, j-1 {
		dirs[i], dirs[j] = dirs[j], dirs[i]
	}
	return dirs, uniqueInts(pids)
}

func parsePIDList(s string) []int {
	var out []int
	for _, f := range strings.Fields(s) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

// sweepNodeCgroups kills every process left in the node's container
// cgroups and removes the cgroups, for containers whose runc state is gone.
func sweepNodeCgroups(root, nodeName string) error {
	var errs []error
	for _, top := range nodeCgroupDirs(root, nodeName) {
		dirs, pids := cgroupTree(top)
		if len(pids) > 0 {
			slog.Debug("cluster: killing container processes", "cgroup", top, "pids", pids)
			if err := killAll(pids, 0); err != nil {
				errs = append(errs, err)
			}
		}
		for _, d := range dirs { // deepest first
			if err := unix.Rmdir(d); err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("removing cgroup %s: %w", d, err))
			}
		}
		// The shared "berth" parent goes with the last node that used it;
		// while another node's cgroups are below it, rmdir fails harmlessly.
		_ = unix.Rmdir(filepath.Dir(top))
	}
	return errors.Join(errs...)
}
