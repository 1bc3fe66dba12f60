// Package oci turns one container of a Kubernetes pod into an OCI runtime
// spec (config.json) that runc can run.
//
// It implements this part of the picture: "containers in a pod share the
// pod's network namespace and talk over localhost; they share the pod's IPC
// namespace (and, with shareProcessNamespace, its PID namespace), each has
// its own mount and UTS namespace and sees the pod's hostname; a container
// runs its image's entrypoint unless the pod says otherwise, as the user the
// pod's security context chooses, with the resources its requests and limits
// grant".
//
// BuildSpec is a pure function: the caller (the kubelet-like agent) does the
// side effects first — mounts the root filesystem, creates the pod's network
// namespace, writes /etc/hosts and resolv.conf, prepares volumes, resolves
// env valueFrom — and passes the resulting paths and values in an Input.
//
// Kubernetes rules followed:
//   - command/args override the image's ENTRYPOINT/CMD as the kubelet does,
//     with $(VAR) expansion from the container's environment;
//   - env is the image's env, then HOSTNAME, then the container's env, later
//     names overriding earlier ones in place;
//   - user and group come from runAsUser/runAsGroup (container over pod) or
//     the image's USER, numeric or looked up in the image's /etc/passwd;
//   - capabilities start from containerd's default set, then add/drop
//     ("ALL" first), and privileged containers get every capability;
//   - cgroup resources follow the kubelet's conversion of requests and limits
//     (cpu shares, CFS quota over a 100ms period, memory limit) and its OOM
//     score adjustment by QoS class.
//
// Not modelled (yet): seccomp and AppArmor profiles, SELinux labels, user
// namespaces, hugepages, host devices for privileged containers.
package oci
