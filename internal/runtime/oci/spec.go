package oci

import (
	"errors"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
)

// specVersion is the OCI runtime spec version written to config.json; the
// runc we drive (Debian's 1.1) implements 1.0.2, which is all we use.
const specVersion = "1.0.2"

// Annotations berth puts on every container, named like the kubelet's labels.
const (
	AnnotationPodName       = "io.kubernetes.pod.name"
	AnnotationPodNamespace  = "io.kubernetes.pod.namespace"
	AnnotationPodUID        = "io.kubernetes.pod.uid"
	AnnotationContainerName = "io.kubernetes.container.name"
)

// BuildSpec builds the OCI runtime spec for one container of a pod.
func BuildSpec(in Input) (*specs.Spec, error) {
	if in.Pod == nil || in.Container == nil {
		return nil, errors.New("BuildSpec needs a pod and a container")
	}
	if in.RootFS == "" {
		return nil, errors.New("BuildSpec needs the container's root filesystem")
	}
	pod, c := in.Pod, in.Container
	hostNetwork := pod.Spec.HostNetwork
	if in.NetNSPath == "" && !hostNetwork {
		return nil, errors.New("BuildSpec needs the pod's network namespace path")
	}
	psc := pod.Spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		csc = &corev1.SecurityContext{}
	}
	privileged := csc.Privileged != nil && *csc.Privileged
	readOnlyRoot := csc.ReadOnlyRootFilesystem != nil && *csc.ReadOnlyRootFilesystem

	hostname := in.Hostname
	if hostname == "" {
		hostname = PodHostname(pod)
	}

	env, err := containerEnv(&in)
	if err != nil {
		return nil, err
	}
	envList, ownEnv := buildEnv(in.Image.Env, hostname, in.BaseEnv, env)
	args, err := processArgs(in.Image.Entrypoint, in.Image.Cmd, c.Command, c.Args, ownEnv)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}

	user, err := resolveUser(userInput{
		imageUser:    in.Image.User,
		runAsUser:    first(csc.RunAsUser, psc.RunAsUser),
		runAsGroup:   first(csc.RunAsGroup, psc.RunAsGroup),
		runAsNonRoot: deref(first(csc.RunAsNonRoot, psc.RunAsNonRoot)),
		supplemental: psc.SupplementalGroups,
		fsGroup:      psc.FSGroup,
		fsys:         in.ImageFS,
	})
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}

	cwd := c.WorkingDir
	if cwd == "" {
		cwd = in.Image.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}

	caps := capabilities(privileged, csc.Capabilities)
	// The kubelet sets no_new_privs only when allowPrivilegeEscalation is
	// explicitly false (and never for privileged containers).
	noNewPrivs := !privileged && csc.AllowPrivilegeEscalation != nil && !*csc.AllowPrivilegeEscalation

	mounts, rootPropagation, err := buildMounts(&in, privileged, readOnlyRoot)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}
	masked, readonly := maskedAndReadonly(privileged, csc.ProcMount)

	spec := &specs.Spec{
		Version: specVersion,
		Process: &specs.Process{
			Terminal: c.TTY,
			User:     user,
			Args:     args,
			Env:      envList,
			Cwd:      cwd,
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  caps,
				Effective: slices.Clone(caps),
				Permitted: slices.Clone(caps),
			},
			NoNewPrivileges: noNewPrivs,
			OOMScoreAdj:     oomScoreAdj(pod, c, in.NodeMemoryCapacity),
		},
		Root:   &specs.Root{Path: in.RootFS, Readonly: readOnlyRoot},
		Mounts: mounts,
		Annotations: map[string]string{
			AnnotationPodName:       pod.Name,
			AnnotationPodNamespace:  pod.Namespace,
			AnnotationPodUID:        string(pod.UID),
			AnnotationContainerName: c.Name,
		},
		Linux: &specs.Linux{
			Namespaces:        namespaces(&in),
			CgroupsPath:       in.CgroupsPath,
			Resources:         linuxResources(c, in.PidsLimit, privileged),
			RootfsPropagation: rootPropagation,
			MaskedPaths:       masked,
			ReadonlyPaths:     readonly,
			Sysctl:            sysctls(psc.Sysctls),
		},
	}
	if err := addDevices(spec, in.Devices); err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Name, err)
	}
	// A host-network pod shares the host's UTS namespace, so it keeps the
	// node's hostname.
	if !hostNetwork {
		spec.Hostname = hostname
	}
	return spec, nil
}

// namespaces: the pod's network namespace and IPC namespace joined by path,
// the PID namespace shared only with shareProcessNamespace, mount and UTS
// always the container's own. Host namespaces are simply not listed.
func namespaces(in *Input) []specs.LinuxNamespace {
	ps := &in.Pod.Spec
	ns := []specs.LinuxNamespace{{Type: specs.MountNamespace}}
	if !ps.HostNetwork {
		ns = append(ns, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: in.NetNSPath},
			specs.LinuxNamespace{Type: specs.UTSNamespace})
	}
	if !ps.HostIPC {
		ns = append(ns, specs.LinuxNamespace{Type: specs.IPCNamespace, Path: in.IPCNSPath})
	}
	if !ps.HostPID {
		pid := specs.LinuxNamespace{Type: specs.PIDNamespace}
		if ps.ShareProcessNamespace != nil && *ps.ShareProcessNamespace {
			pid.Path = in.PIDNSPath
		}
		ns = append(ns, pid)
	}
	return ns
}

func sysctls(in []corev1.Sysctl) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, s := range in {
		out[s.Name] = s.Value
	}
	return out
}

// first returns the first non-nil pointer (container setting over pod's).
func first[T any](ptrs ...*T) *T {
	for _, p := range ptrs {
		if p != nil {
			return p
		}
	}
	return nil
}

func deref(b *bool) bool { return b != nil && *b }
