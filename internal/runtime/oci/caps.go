package oci

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// defaultCaps is containerd's default capability set for containers.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// allCaps lists every capability Linux knows (up to CAP_CHECKPOINT_RESTORE),
// in number order: what "ALL" and privileged grant.
var allCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// capName turns a Kubernetes capability ("NET_ADMIN", "net_admin") into
// the kernel's name ("CAP_NET_ADMIN").
func capName(c corev1.Capability) string {
	s := strings.ToUpper(string(c))
	if !strings.HasPrefix(s, "CAP_") {
		s = "CAP_" + s
	}
	return s
}

func isAll(c corev1.Capability) bool { return strings.EqualFold(string(c), "ALL") }

// capabilities computes a container's capability set the way containerd's
// CRI does: start from the default set (all when privileged), apply "ALL"
// in add then drop, then the individual adds, then the individual drops.
func capabilities(privileged bool, caps *corev1.Capabilities) []string {
	if privileged {
		return slices.Clone(allCaps)
	}
	set := slices.Clone(defaultCaps)
	if caps == nil {
		return set
	}
	if slices.ContainsFunc(caps.Add, isAll) {
		set = slices.Clone(allCaps)
	}
	if slices.ContainsFunc(caps.Drop, isAll) {
		set = nil
	}
	for _, c := range caps.Add {
		if n := capName(c); !isAll(c) && !slices.Contains(set, n) {
			set = append(set, n)
		}
	}
	for _, c := range caps.Drop {
		if !isAll(c) {
			n := capName(c)
			set = slices.DeleteFunc(set, func(s string) bool { return s == n })
		}
	}
	if set == nil {
		set = []string{}
	}
	return set
}
