package agent

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// hostInfo is what the agent observed about its machine.
type hostInfo struct {
	cpus         int
	memoryBytes  int64
	storageBytes int64
	// localStorage is the published berth.dev/local-storage capacity.
	localStorage  int64
	kernelVersion string
	osImage       string
	maxPods       int
}

func observeHost(rootDir string) hostInfo {
	h := hostInfo{cpus: runtime.NumCPU(), maxPods: 110, osImage: "Linux"}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			var kb int64
			if n, _ := fmt.Sscanf(s.Text(), "MemTotal: %d kB", &kb); n == 1 {
				h.memoryBytes = kb * 1024
			}
		}
		f.Close()
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(rootDir, &st); err == nil {
		h.storageBytes = int64(st.Blocks) * int64(st.Bsize)
	}
	var uts syscall.Utsname
	if err := syscall.Uname(&uts); err == nil {
		h.kernelVersion = charsToString(uts.Release[:])
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				h.osImage = strings.Trim(v, `"`)
			}
		}
	}
	return h
}

// ResourceLocalStorage is the extended resource through which a node
// publishes how much berth.dev/local-path and local-volume storage it holds.
const ResourceLocalStorage corev1.ResourceName = "berth.dev/local-storage"

// localStorageCapacity is the configured capacity (flag, then env
// BERTH_STORAGE_CAPACITY) or the total size of the filesystem holding the
// storage directory.
func localStorageCapacity(configured, storageDir string) (int64, error) {
	if configured == "" {
		configured = os.Getenv("BERTH_STORAGE_CAPACITY")
	}
	if configured != "" {
		q, err := resource.ParseQuantity(configured)
		if err != nil {
			return 0, fmt.Errorf("storage capacity %q: %w", configured, err)
		}
		if q.Sign() <= 0 {
			return 0, fmt.Errorf("storage capacity %q: must be positive", configured)
		}
		return q.Value(), nil
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(storageDir, &st); err != nil {
		return 0, err
	}
	return int64(st.Blocks) * int64(st.Bsize), nil
}

func charsToString(ca []int8) string {
	b := make([]byte, 0, len(ca))
	for _, c := range ca {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// desiredNodeStatus is the status the agent reports: capacity, addresses,
// the daemon endpoint, node info and healthy conditions. Pure, so the
// heartbeat only writes when something other than the heartbeat time moved.
func desiredNodeStatus(cfg Config, h hostInfo, kubeletVersion string, now metav1.Time, old *corev1.NodeStatus) corev1.NodeStatus {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewQuantity(int64(h.cpus), resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity(h.memoryBytes, resource.BinarySI),
		corev1.ResourcePods:             *resource.NewQuantity(int64(h.maxPods), resource.DecimalSI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(h.storageBytes, resource.BinarySI),
	}
	if h.localStorage > 0 {
		capacity[ResourceLocalStorage] = *resource.NewQuantity(h.localStorage, resource.BinarySI)
	}
	conds := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "berth agent has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "berth agent has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "berth agent has sufficient PID available"},
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "berth agent is posting ready status"},
	}
	for i := range conds {
		conds[i].LastHeartbeatTime = now
		conds[i].LastTransitionTime = now
		if old != nil {
			for _, oc := range old.Conditions {
				if oc.Type == conds[i].Type && oc.Status == conds[i].Status {
					conds[i].LastTransitionTime = oc.LastTransitionTime
				}
			}
		}
	}
	hostname, _ := os.Hostname()
	addrs := []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: cfg.NodeName}}
	if cfg.NodeIP != nil {
		addrs = append([]corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: cfg.NodeIP.String()}}, addrs...)
	}
	_ = hostname
	st := corev1.NodeStatus{
		Capacity:        capacity,
		Allocatable:     capacity.DeepCopy(),
		Phase:           "",
		Conditions:      conds,
		Addresses:       addrs,
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(cfg.StreamingPort)}},
		NodeInfo: corev1.NodeSystemInfo{
			KernelVersion:           h.kernelVersion,
			OSImage:                 h.osImage,
			ContainerRuntimeVersion: "runc://" + runcVersion(cfg.RuncBinary),
			KubeletVersion:          kubeletVersion,
			KubeProxyVersion:        "",
			OperatingSystem:         runtime.GOOS,
			Architecture:            runtime.GOARCH,
		},
	}
	if old != nil {
		st.Images = old.Images
		st.VolumesInUse = old.VolumesInUse
		st.VolumesAttached = old.VolumesAttached
	}
	return st
}

// nodeLabels are the well-known labels a kubelet sets on its Node.
func nodeLabels(cfg Config) map[string]string {
	l := map[string]string{
		corev1.LabelHostname:      cfg.NodeName,
		corev1.LabelOSStable:      runtime.GOOS,
		corev1.LabelArchStable:    runtime.GOARCH,
		"beta.kubernetes.io/os":   runtime.GOOS,
		"beta.kubernetes.io/arch": runtime.GOARCH,
	}
	for k, v := range cfg.Labels {
		l[k] = v
	}
	return l
}

// registerNode creates the Node, or adopts an existing one of that name.
func (a *Agent) registerNode(ctx context.Context) (*corev1.Node, error) {
	client := a.client
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: a.cfg.NodeName, Labels: nodeLabels(a.cfg)}}
	created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	switch {
	case err == nil:
		node = created
	case apierrors.IsAlreadyExists(err):
		node, err = client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		changed := false
		for k, v := range nodeLabels(a.cfg) {
			if node.Labels[k] != v {
				if node.Labels == nil {
					node.Labels = map[string]string{}
				}
				node.Labels[k] = v
				changed = true
			}
		}
		if changed {
			if node, err = client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
				return nil, err
			}
		}
	default:
		return nil, err
	}
	return a.updateNodeStatus(ctx, node)
}

func (a *Agent) updateNodeStatus(ctx context.Context, node *corev1.Node) (*corev1.Node, error) {
	node = node.DeepCopy()
	node.Status = desiredNodeStatus(a.cfg, a.host, a.kubeletVersion, metav1.Now(), &node.Status)
	return a.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
}

// nodeStatusLoop refreshes the Node's status every 10 s, the kubelet's
// node-status-update-frequency (the Lease is the cheap heartbeat).
func (a *Agent) nodeStatusLoop(ctx context.Context, client kubernetes.Interface) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := a.postNodeStatus(ctx); err != nil {
			a.log.Warn("node status", "err", err)
		}
	}
}

// postNodeStatus writes the node's current status, registering the Node
// again if it was deleted meanwhile.
func (a *Agent) postNodeStatus(ctx context.Context) error {
	node, err := a.client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = a.registerNode(ctx)
		return err
	}
	if err != nil {
		return err
	}
	_, err = a.updateNodeStatus(ctx, node)
	return err
}

var runcVersionCache string

func runcVersion(bin string) string {
	if runcVersionCache != "" {
		return runcVersionCache
	}
	v := "1"
	if out, err := execOutput(bin, "--version"); err == nil {
		f := strings.Fields(out)
		if len(f) >= 3 {
			v = f[2]
		}
	}
	runcVersionCache = v
	return v
}
