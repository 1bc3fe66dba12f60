package agent

import (
	"os"
	"path/filepath"
)

// Containers' cgroups live below /berth/<node>/pod<uid>/ in every
// hierarchy; runc removes a container's own cgroup, the agent removes the
// pod level once the pod's containers are gone (the kubelet does the same).
func (a *Agent) removePodCgroups(uid string) {
	for _, dir := range cgroupDirs(filepath.Join("berth", a.cfg.NodeName, "pod"+uid)) {
		_ = os.Remove(dir) // only empty cgroups can go; a busy one stays for housekeeping
	}
}

// cgroupDirs returns rel under every mounted hierarchy (v1 controllers,
// the v2 unified tree, or a pure v2 mount).
func cgroupDirs(rel string) []string {
	var out []string
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return []string{filepath.Join("/sys/fs/cgroup", rel)}
	}
	entries, _ := os.ReadDir("/sys/fs/cgroup")
	for _, e := range entries {
		if e.IsDir() || e.Type()&os.ModeSymlink != 0 {
			out = append(out, filepath.Join("/sys/fs/cgroup", e.Name(), rel))
		}
	}
	return out
}
