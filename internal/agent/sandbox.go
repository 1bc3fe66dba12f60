package agent

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"github.com/berth-project/berth/internal/network"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// sandbox is the pod-level environment its containers share: the network
// namespace (with the veth to the bridge and the pod IP), an IPC namespace,
// and the generated /etc/hosts, /etc/resolv.conf and /etc/hostname.
type sandbox struct {
	dir          string
	netnsPath    string // "" for hostNetwork pods
	ipcPath      string
	ip           net.IP
	hostsPath    string
	resolvPath   string
	hostnamePath string
}

func (a *Agent) podDir(uid string) string { return filepath.Join(a.cfg.podsDir(), uid) }

// ensureSandbox creates (or finds again, after an agent restart) the pod's
// sandbox. It is idempotent.
func (a *Agent) ensureSandbox(pod *corev1.Pod) (*sandbox, error) {
	uid := string(pod.UID)
	sb := &sandbox{dir: a.podDir(uid), ipcPath: filepath.Join(a.cfg.ipcDir(), uid)}
	if err := os.MkdirAll(filepath.Join(sb.dir, "etc"), 0o755); err != nil {
		return nil, err
	}
	if pod.Spec.HostNetwork {
		sb.ip = a.cfg.NodeIP
	} else {
		st, err := network.SetupPod(a.netCfg, network.PodNetwork{SandboxID: uid, Namespace: pod.Namespace, Name: pod.Name})
		if err != nil {
			return nil, fmt.Errorf("setting up the pod network: %w", err)
		}
		sb.netnsPath, sb.ip = st.NetNSPath, st.IP
	}
	if err := ensureIPCNamespace(sb.ipcPath); err != nil {
		return nil, fmt.Errorf("pod IPC namespace: %w", err)
	}
	// The files the kubelet manages for every container.
	sb.hostsPath = filepath.Join(sb.dir, "etc", "hosts")
	sb.resolvPath = filepath.Join(sb.dir, "etc", "resolv.conf")
	sb.hostnamePath = filepath.Join(sb.dir, "etc", "hostname")
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	var hosts []byte
	if pod.Spec.HostNetwork {
		nodeHosts, _ := os.ReadFile("/etc/hosts")
		hosts = network.EtcHostsHostNetwork(pod, nodeHosts)
	} else {
		hosts = network.EtcHosts(pod, []net.IP{sb.ip}, a.cfg.ClusterDomain)
	}
	hostname, _ := network.PodHostname(pod, a.cfg.ClusterDomain)
	if pod.Spec.HostNetwork {
		hostname, _ = os.Hostname()
	}
	files := map[string][]byte{
		sb.hostsPath:    hosts,
		sb.resolvPath:   network.ResolvConf(pod, []net.IP{a.cfg.ClusterDNS}, a.cfg.ClusterDomain, hostResolv),
		sb.hostnamePath: []byte(hostname + "\n"),
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
	}
	return sb, nil
}

// teardownSandbox removes the pod network and namespaces; idempotent.
func (a *Agent) teardownSandbox(uid string, hostNetwork bool) error {
	var errs []error
	if !hostNetwork {
		if err := network.TeardownPod(a.netCfg, uid); err != nil {
			errs = append(errs, err)
		}
	}
	ipc := filepath.Join(a.cfg.ipcDir(), uid)
	_ = unix.Unmount(ipc, unix.MNT_DETACH)
	if err := os.Remove(ipc); err != nil && !os.IsNotExist(err) {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("tearing down sandbox %s: %v", uid, errs)
	}
	return nil
}

// ensureIPCNamespace makes a new IPC namespace and pins it by bind-mounting
// it on path, so every container of the pod can join it by path (what the
// pause container does on Kubernetes).
func ensureIPCNamespace(path string) error {
	if isNSMount(path) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o444)
	if err != nil {
		return err
	}
	f.Close()
	errc := make(chan error, 1)
	go func() {
		// This thread enters the new namespace and is never handed back to
		// the Go scheduler: the goroutine exits locked, so the thread dies.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWIPC); err != nil {
			errc <- err
			return
		}
		src := fmt.Sprintf("/proc/self/task/%d/ns/ipc", unix.Gettid())
		errc <- unix.Mount(src, path, "", unix.MS_BIND, "")
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// isNSMount reports whether path is a bind-mounted namespace file.
func isNSMount(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return st.Type == unix.NSFS_MAGIC
}
