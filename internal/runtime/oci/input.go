package oci

import (
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	corev1 "k8s.io/api/core/v1"
)

// Input is everything BuildSpec needs for one container of a pod. Paths are
// host paths the caller prepared; an empty optional path leaves that piece
// out.
type Input struct {
	Pod       *corev1.Pod
	Container *corev1.Container // one of the pod's (init) containers
	Image     v1.Config         // the image's config: Entrypoint, Cmd, Env, WorkingDir, User

	// BaseEnv holds variables already final, placed before Env and not
	// expanded: service-link variables and envFrom, in the caller's order of
	// precedence.
	BaseEnv []corev1.EnvVar
	// Env is the container's env list in order. The caller resolves each
	// valueFrom into Value (leaving ValueFrom set, which marks the value as
	// final); plain values get $(VAR) expansion. Nil means Container.Env,
	// which then must not use valueFrom.
	Env []corev1.EnvVar

	RootFS   string // mounted root filesystem (runc's root.path)
	Hostname string // defaults to PodHostname(Pod)

	// NetNSPath is the pod's network namespace, joined by path; required
	// unless the pod uses the host network.
	NetNSPath string
	// IPCNSPath is the pod's IPC namespace (e.g. /proc/<first pid>/ns/ipc or
	// a bind-mounted one). Empty: a new IPC namespace (the first container).
	IPCNSPath string
	// PIDNSPath is the pod's PID namespace, used when the pod sets
	// shareProcessNamespace. Empty: a new one.
	PIDNSPath string
	// ShmPath is the pod's /dev/shm (a tmpfs shared by its containers).
	// Empty: a private 64MiB tmpfs.
	ShmPath string

	HostsPath          string // mounted at /etc/hosts
	ResolvConfPath     string // mounted at /etc/resolv.conf
	HostnamePath       string // mounted at /etc/hostname
	TerminationLogPath string // mounted at the container's terminationMessagePath

	Mounts  []Mount  // volumes
	Devices []Device // Block-mode volumes (volumeDevices)

	CgroupsPath        string // e.g. /kubepods/burstable/pod<uid>/<container id>
	PidsLimit          int64  // 0: no limit
	NodeMemoryCapacity int64  // bytes; needed for a Burstable container's OOM score

	// ImageFS lets BuildSpec look up a non-numeric image USER and the
	// user's groups in the image's etc/passwd and etc/group (an os.DirFS of
	// the root filesystem). Nil: only numeric users are accepted.
	ImageFS fs.FS
}

// Mount is a volume prepared on the host, bound into the container. The
// embedded VolumeMount gives MountPath, ReadOnly and MountPropagation;
// SubPath must already be applied to HostPath.
type Mount struct {
	corev1.VolumeMount
	HostPath string
}
