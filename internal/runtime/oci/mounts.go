package oci

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
)

// defaultTerminationMessagePath is where the kubelet expects a container's
// last words when the pod does not say otherwise.
const defaultTerminationMessagePath = "/dev/termination-log"

// defaultMounts are the file systems every container gets, as containerd
// sets them up; a volume mounted at the same place replaces one.
func defaultMounts(privileged bool, shmPath string) []specs.Mount {
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	cgroupOpts := []string{"nosuid", "noexec", "nodev", "relatime", "ro"}
	if privileged { // privileged containers may write to /sys
		sysOpts, cgroupOpts = sysOpts[:3], cgroupOpts[:4]
	}
	shm := specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
		Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}
	if shmPath != "" { // the pod's shared /dev/shm
		shm = specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shmPath,
			Options: []string{"rbind", "rprivate", "nosuid", "noexec", "nodev", "rw"}}
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		shm,
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: cgroupOpts},
	}
}

// bind is a bind mount with the given read-only flag and propagation.
func bind(src, dst string, readOnly bool, propagation string) specs.Mount {
	rw := "rw"
	if readOnly {
		rw = "ro"
	}
	return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: []string{"rbind", propagation, rw}}
}

// propagation maps a Kubernetes mount propagation mode to mount options.
func propagation(mode *corev1.MountPropagationMode, privileged bool) (string, error) {
	if mode == nil {
		return "rprivate", nil
	}
	switch *mode {
	case corev1.MountPropagationNone:
		return "rprivate", nil
	case corev1.MountPropagationHostToContainer:
		return "rslave", nil
	case corev1.MountPropagationBidirectional:
		if !privileged {
			return "", fmt.Errorf("bidirectional mount propagation is available only to privileged containers")
		}
		return "rshared", nil
	}
	return "", fmt.Errorf("unknown mount propagation %q", *mode)
}

// buildMounts assembles the container's mounts: defaults, then the files
// the kubelet manages (/etc/hosts, /etc/resolv.conf, /etc/hostname, the
// termination log) and the volumes, parents before children. A volume at a
// path the kubelet would manage takes the path over, as in Kubernetes.
func buildMounts(in *Input, privileged, readOnlyRoot bool) (mounts []specs.Mount, rootPropagation string, err error) {
	var extra []specs.Mount
	taken := map[string]bool{}
	for _, m := range in.Mounts {
		dst := path.Clean(m.MountPath)
		if !path.IsAbs(dst) {
			return nil, "", fmt.Errorf("volume mount %q: path must be absolute", m.MountPath)
		}
		if taken[dst] {
			return nil, "", fmt.Errorf("two volumes mounted at %s", dst)
		}
		taken[dst] = true
		prop, err := propagation(m.MountPropagation, privileged)
		if err != nil {
			return nil, "", fmt.Errorf("volume %q: %w", m.Name, err)
		}
		switch prop {
		case "rshared":
			rootPropagation = "rshared"
		case "rslave":
			if rootPropagation == "" {
				rootPropagation = "rslave"
			}
		}
		extra = append(extra, bind(m.HostPath, dst, m.ReadOnly, prop))
	}
	managed := []struct{ src, dst string }{
		{in.HostsPath, "/etc/hosts"},
		{in.ResolvConfPath, "/etc/resolv.conf"},
		{in.HostnamePath, "/etc/hostname"},
	}
	for _, f := range managed {
		if f.src != "" && !taken[f.dst] {
			// read-only with a read-only root, like containerd
			extra = append(extra, bind(f.src, f.dst, readOnlyRoot, "rprivate"))
			taken[f.dst] = true
		}
	}
	if in.TerminationLogPath != "" {
		dst := in.Container.TerminationMessagePath
		if dst == "" {
			dst = defaultTerminationMessagePath
		}
		if dst = path.Clean(dst); !taken[dst] {
			extra = append(extra, bind(in.TerminationLogPath, dst, false, "rprivate"))
			taken[dst] = true
		}
	}
	// runc mounts in order: a parent must come before what is mounted inside it.
	sort.SliceStable(extra, func(i, j int) bool { return depth(extra[i].Destination) < depth(extra[j].Destination) })
	for _, m := range defaultMounts(privileged, in.ShmPath) {
		if !taken[m.Destination] {
			mounts = append(mounts, m)
		}
	}
	return append(mounts, extra...), rootPropagation, nil
}

func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(path.Clean(p), "/")
}

// maskedPaths and readonlyPaths keep kernel interfaces away from
// unprivileged containers (containerd's defaults).
var (
	maskedPaths = []string{
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/sys/devices/virtual/powercap", "/proc/scsi",
	}
	readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

func maskedAndReadonly(privileged bool, procMount *corev1.ProcMountType) ([]string, []string) {
	if privileged || (procMount != nil && *procMount == corev1.UnmaskedProcMount) {
		return nil, nil
	}
	return slices.Clone(maskedPaths), slices.Clone(readonlyPaths)
}
