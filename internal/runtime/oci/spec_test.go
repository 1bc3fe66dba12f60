package oci

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ptr[T any](v T) *T { return &v }

// baseInput is a typical container: a Burstable web server with two volumes.
func baseInput() Input {
	hostToContainer := corev1.MountPropagationHostToContainer
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "default", UID: "uid-1"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:       "web",
				Args:       []string{"serve", "--port", "$(PORT)"},
				Env:        []corev1.EnvVar{{Name: "PORT", Value: "8080"}},
				WorkingDir: "/srv",
				Resources: corev1.ResourceRequirements{
					Requests: rl("cpu", "250m", "memory", "1Gi"),
					Limits:   rl("cpu", "500m", "memory", "2Gi"),
				},
			}},
		},
	}
	return Input{
		Pod:                pod,
		Container:          &pod.Spec.Containers[0],
		Image:              v1.Config{Entrypoint: []string{"/testhost"}, Cmd: []string{"serve"}, Env: []string{"PATH=/bin"}, User: "1000:1000"},
		RootFS:             "/run/c1/rootfs",
		NetNSPath:          "/run/netns/pod1",
		IPCNSPath:          "/proc/42/ns/ipc",
		ShmPath:            "/run/pod1/shm",
		HostsPath:          "/run/pod1/hosts",
		ResolvConfPath:     "/run/pod1/resolv.conf",
		HostnamePath:       "/run/pod1/hostname",
		TerminationLogPath: "/run/c1/termination-log",
		Mounts: []Mount{
			{VolumeMount: corev1.VolumeMount{Name: "data-sub", MountPath: "/data/sub", MountPropagation: &hostToContainer}, HostPath: "/var/v/sub"},
			{VolumeMount: corev1.VolumeMount{Name: "data", MountPath: "/data/", ReadOnly: true}, HostPath: "/var/v/data"},
		},
		CgroupsPath:        "/kubepods/burstable/poduid-1/c1",
		PidsLimit:          1024,
		NodeMemoryCapacity: 4 << 30,
	}
}

func baseSpec() *specs.Spec {
	caps := slices.Clone(defaultCaps)
	shares, quota, period, mem, pids := uint64(256), int64(50000), uint64(100000), int64(2<<30), int64(1024)
	return &specs.Spec{
		Version: specVersion,
		Process: &specs.Process{
			User:         specs.User{UID: 1000, GID: 1000},
			Args:         []string{"/testhost", "serve", "--port", "8080"},
			Env:          []string{"PATH=/bin", "HOSTNAME=web-0", "PORT=8080"},
			Cwd:          "/srv",
			Capabilities: &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps},
			OOMScoreAdj:  ptr(750),
		},
		Root:     &specs.Root{Path: "/run/c1/rootfs"},
		Hostname: "web-0",
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
			{Destination: "/dev/shm", Type: "bind", Source: "/run/pod1/shm", Options: []string{"rbind", "rprivate", "nosuid", "noexec", "nodev", "rw"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
			{Destination: "/data", Type: "bind", Source: "/var/v/data", Options: []string{"rbind", "rprivate", "ro"}},
			{Destination: "/data/sub", Type: "bind", Source: "/var/v/sub", Options: []string{"rbind", "rslave", "rw"}},
			{Destination: "/etc/hosts", Type: "bind", Source: "/run/pod1/hosts", Options: []string{"rbind", "rprivate", "rw"}},
			{Destination: "/etc/resolv.conf", Type: "bind", Source: "/run/pod1/resolv.conf", Options: []string{"rbind", "rprivate", "rw"}},
			{Destination: "/etc/hostname", Type: "bind", Source: "/run/pod1/hostname", Options: []string{"rbind", "rprivate", "rw"}},
			{Destination: "/dev/termination-log", Type: "bind", Source: "/run/c1/termination-log", Options: []string{"rbind", "rprivate", "rw"}},
		},
		Annotations: map[string]string{
			AnnotationPodName: "web-0", AnnotationPodNamespace: "default", AnnotationPodUID: "uid-1", AnnotationContainerName: "web",
		},
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.MountNamespace},
				{Type: specs.NetworkNamespace, Path: "/run/netns/pod1"},
				{Type: specs.UTSNamespace},
				{Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"},
				{Type: specs.PIDNamespace},
			},
			CgroupsPath: "/kubepods/burstable/poduid-1/c1",
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
				CPU:     &specs.LinuxCPU{Shares: &shares, Quota: &quota, Period: &period},
				Memory:  &specs.LinuxMemory{Limit: &mem},
				Pids:    &specs.LinuxPids{Limit: &pids},
			},
			RootfsPropagation: "rslave",
			MaskedPaths:       maskedPaths,
			ReadonlyPaths:     readonlyPaths,
		},
	}
}

func TestBuildSpec(t *testing.T) {
	tests := []struct {
		name    string
		input   func(*Input)
		want    func(*specs.Spec)
		wantErr string
	}{
		{name: "typical container"},
		{
			name: "privileged",
			input: func(in *Input) {
				in.Container.SecurityContext = &corev1.SecurityContext{Privileged: ptr(true), AllowPrivilegeEscalation: ptr(false)}
			},
			want: func(s *specs.Spec) {
				s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: allCaps, Effective: allCaps, Permitted: allCaps}
				s.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
				s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
				s.Mounts[5].Options = []string{"nosuid", "noexec", "nodev"}
				s.Mounts[6].Options = []string{"nosuid", "noexec", "nodev", "relatime"}
			},
		},
		{
			name: "hardened: read-only root, no escalation, dropped caps, pod user",
			input: func(in *Input) {
				in.Pod.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr(int64(2000)), RunAsGroup: ptr(int64(3000)),
					RunAsNonRoot: ptr(true), FSGroup: ptr(int64(4000)), SupplementalGroups: []int64{5000}}
				in.Container.SecurityContext = &corev1.SecurityContext{ReadOnlyRootFilesystem: ptr(true), AllowPrivilegeEscalation: ptr(false),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE"}}}
			},
			want: func(s *specs.Spec) {
				s.Process.User = specs.User{UID: 2000, GID: 3000, AdditionalGids: []uint32{5000, 4000}}
				c := []string{"CAP_NET_BIND_SERVICE"}
				s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: c, Effective: c, Permitted: c}
				s.Process.NoNewPrivileges = true
				s.Root.Readonly = true
				for i := 9; i <= 11; i++ { // hosts, resolv.conf, hostname go read-only too
					s.Mounts[i].Options[2] = "ro"
				}
			},
		},
		{
			name: "host network pod keeps the host's network and UTS namespaces",
			input: func(in *Input) {
				in.Pod.Spec.HostNetwork = true
				in.NetNSPath = ""
			},
			want: func(s *specs.Spec) {
				s.Hostname = ""
				s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.IPCNamespace, Path: "/proc/42/ns/ipc"}, {Type: specs.PIDNamespace}}
			},
		},
		{
			name: "shared process namespace, host IPC, tty, explicit hostname",
			input: func(in *Input) {
				in.Pod.Spec.ShareProcessNamespace = ptr(true)
				in.Pod.Spec.HostIPC = true
				in.PIDNSPath = "/proc/42/ns/pid"
				in.Container.TTY = true
				in.Hostname = "custom"
			},
			want: func(s *specs.Spec) {
				s.Process.Terminal = true
				s.Hostname = "custom"
				s.Process.Env[1] = "HOSTNAME=custom"
				s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.NetworkNamespace, Path: "/run/netns/pod1"},
					{Type: specs.UTSNamespace}, {Type: specs.PIDNamespace, Path: "/proc/42/ns/pid"}}
			},
		},
		{
			name: "command overrides the image; a volume at /etc/hosts replaces the managed file; best effort",
			input: func(in *Input) {
				in.Container.Command = []string{"/bin/sh", "-c"}
				in.Container.Args = []string{"echo $(PORT) $$(PORT)"}
				in.Container.Resources = corev1.ResourceRequirements{}
				in.Container.TerminationMessagePath = "/tmp/last-words"
				in.Mounts = []Mount{{VolumeMount: corev1.VolumeMount{Name: "hosts", MountPath: "/etc/hosts"}, HostPath: "/my/hosts"}}
				in.ShmPath = ""
				in.IPCNSPath = ""
			},
			want: func(s *specs.Spec) {
				s.Process.Args = []string{"/bin/sh", "-c", "echo 8080 $(PORT)"}
				s.Process.OOMScoreAdj = ptr(1000)
				s.Linux.Resources.CPU = &specs.LinuxCPU{Shares: ptr(uint64(2))}
				s.Linux.Resources.Memory = nil
				s.Linux.RootfsPropagation = ""
				s.Linux.Namespaces[3].Path = ""
				s.Mounts[3] = specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}
				s.Mounts = append(s.Mounts[:7],
					specs.Mount{Destination: "/etc/hosts", Type: "bind", Source: "/my/hosts", Options: []string{"rbind", "rprivate", "rw"}},
					s.Mounts[10], s.Mounts[11],
					specs.Mount{Destination: "/tmp/last-words", Type: "bind", Source: "/run/c1/termination-log", Options: []string{"rbind", "rprivate", "rw"}})
			},
		},
		{
			name: "resolved env from the caller, sysctls, named image user",
			input: func(in *Input) {
				in.Image.User = "app"
				in.ImageFS = imageFS
				in.BaseEnv = []corev1.EnvVar{{Name: "KUBERNETES_SERVICE_HOST", Value: "10.96.0.1"}}
				in.Env = []corev1.EnvVar{
					{Name: "PORT", Value: "8080"},
					{Name: "POD_IP", Value: "10.244.0.5", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
				}
				in.Pod.Spec.SecurityContext = &corev1.PodSecurityContext{Sysctls: []corev1.Sysctl{{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}}}
			},
			want: func(s *specs.Spec) {
				s.Process.User = specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{2000, 44}}
				s.Process.Env = []string{"PATH=/bin", "HOSTNAME=web-0", "KUBERNETES_SERVICE_HOST=10.96.0.1", "PORT=8080", "POD_IP=10.244.0.5"}
				s.Linux.Sysctl = map[string]string{"net.ipv4.ip_unprivileged_port_start": "0"}
			},
		},
		{
			name:    "bidirectional propagation needs privileged",
			input:   func(in *Input) { in.Mounts[0].MountPropagation = ptr(corev1.MountPropagationBidirectional) },
			wantErr: "privileged",
		},
		{
			name:    "unresolved valueFrom",
			input:   func(in *Input) { in.Container.Env[0].ValueFrom = &corev1.EnvVarSource{} },
			wantErr: "valueFrom",
		},
		{
			name:    "no network namespace",
			input:   func(in *Input) { in.NetNSPath = "" },
			wantErr: "network namespace",
		},
		{
			name: "runAsNonRoot with a root image",
			input: func(in *Input) {
				in.Image.User = ""
				in.Container.SecurityContext = &corev1.SecurityContext{RunAsNonRoot: ptr(true)}
			},
			wantErr: "runAsNonRoot",
		},
		{
			name:    "nothing to run",
			input:   func(in *Input) { in.Image.Entrypoint, in.Image.Cmd, in.Container.Args = nil, nil, nil },
			wantErr: "no command",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			if tt.input != nil {
				tt.input(&in)
			}
			got, err := BuildSpec(in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := baseSpec()
			if tt.want != nil {
				tt.want(want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("spec mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPodHostname(t *testing.T) {
	long := strings.Repeat("a", 62) + "-bcd"
	tests := []struct {
		pod  corev1.Pod
		want string
	}{
		{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0"}}, "web-0"},
		{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0"}, Spec: corev1.PodSpec{Hostname: "db"}}, "db"},
		{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: long}}, strings.Repeat("a", 62)},
	}
	for _, tt := range tests {
		if got := PodHostname(&tt.pod); got != tt.want {
			t.Errorf("PodHostname(%s) = %q, want %q", tt.pod.Name, got, tt.want)
		}
	}
}

func TestBlockDevices(t *testing.T) {
	in := baseInput()
	in.Devices = []Device{{Path: "/dev/xvda", Major: 7, Minor: 3}}
	s, err := BuildSpec(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Linux.Devices) != 1 || s.Linux.Devices[0].Path != "/dev/xvda" || s.Linux.Devices[0].Type != "b" || s.Linux.Devices[0].Major != 7 || s.Linux.Devices[0].Minor != 3 {
		t.Fatalf("devices %+v", s.Linux.Devices)
	}
	last := s.Linux.Resources.Devices[len(s.Linux.Resources.Devices)-1]
	if !last.Allow || last.Type != "b" || *last.Major != 7 || *last.Minor != 3 || last.Access != "rwm" {
		t.Fatalf("cgroup rule %+v", last)
	}
	in.Devices = []Device{{Path: "relative", Major: 7, Minor: 3}}
	if _, err := BuildSpec(in); err == nil {
		t.Fatal("relative device path accepted")
	}
}
