package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-project/berth/internal/runtime/oci"
	"github.com/berth-project/berth/internal/volume"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
)

// Pod volumes the agent prepares on the node before containers start:
// ephemeral ones (emptyDir, configMap, secret, downwardAPI) under the pod's
// directory, hostPath, and claims (persistentVolumeClaim and generic
// ephemeral volumes) through their PVs (storage.go, internal/volume).

// hostVolume is a pod volume ready on the node.
type hostVolume struct {
	path     string // bound into containers
	readOnly bool   // every mount read-only (claim readOnly, ReadOnlyMany PV)
	device   string // a Block-mode claim's device node (volumeDevices)
}

func (a *Agent) volumeDir(uid, name string) string {
	return filepath.Join(a.podDir(uid), "volumes", name)
}

// prepareVolumes makes every volume of the pod present on the node and
// returns their host paths by volume name.
func (a *Agent) prepareVolumes(ctx context.Context, pod *corev1.Pod) (map[string]hostVolume, error) {
	out := map[string]hostVolume{}
	uid := string(pod.UID)
	for i := range pod.Spec.Volumes {
		v := pod.Spec.Volumes[i]
		dir := a.volumeDir(uid, v.Name)
		if _, _, ok := volume.ClaimName(pod, &v); ok {
			hv, err := a.prepareClaimVolume(ctx, pod, &v)
			if err != nil {
				return nil, err
			}
			out[v.Name] = hv
			continue
		}
		if err := a.prepareEphemeral(ctx, pod, v, dir); err != nil {
			return nil, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", v.Name, err)
		}
		if v.HostPath != nil {
			dir = v.HostPath.Path
		}
		out[v.Name] = hostVolume{path: dir}
	}
	return out, nil
}

// prepareEphemeral makes one non-claim volume present at dir.
func (a *Agent) prepareEphemeral(ctx context.Context, pod *corev1.Pod, v corev1.Volume, dir string) error {
	switch {
	case v.EmptyDir != nil:
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return err
		}
		if v.EmptyDir.Medium == corev1.StorageMediumMemory && !isMountPoint(dir) {
			opts := "mode=0777"
			if v.EmptyDir.SizeLimit != nil {
				opts += fmt.Sprintf(",size=%d", v.EmptyDir.SizeLimit.Value())
			}
			if err := mountTmpfs(dir, opts); err != nil {
				return err
			}
		}
		_ = os.Chmod(dir, 0o777)
		return applyFSGroup(pod, dir, false)
	case v.HostPath != nil:
		if v.HostPath.Type != nil && (*v.HostPath.Type == corev1.HostPathDirectoryOrCreate) {
			if err := os.MkdirAll(v.HostPath.Path, 0o755); err != nil {
				return err
			}
		}
	case isPayloadVolume(&v):
		if _, err := a.writePayloadVolume(ctx, pod, &v, dir); err != nil {
			return err
		}
	default:
		return fmt.Errorf("this volume type is not supported by berth yet")
	}
	return nil
}

// mountTmpfs mounts a tmpfs at dir.
func mountTmpfs(dir, opts string) error {
	return unix.Mount("tmpfs", dir, "tmpfs", 0, opts)
}

// containerMounts maps a container's volumeMounts onto host paths:
// subPath or subPathExpr (expanded from the container's environment) below
// the volume, read-only when the mount or the volume says so.
func containerMounts(c *corev1.Container, volumes map[string]hostVolume, env map[string]string) ([]oci.Mount, error) {
	var out []oci.Mount
	for _, vm := range c.VolumeMounts {
		hv, ok := volumes[vm.Name]
		if !ok {
			return nil, fmt.Errorf("volume %q is not prepared", vm.Name)
		}
		if hv.device != "" {
			return nil, fmt.Errorf("volume %q is a block volume: use it in volumeDevices, not volumeMounts", vm.Name)
		}
		host := hv.path
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			sub = volume.ExpandSubPathExpr(vm.SubPathExpr, env)
		}
		if sub != "" {
			p, err := volume.SubPathHost(host, sub)
			if err != nil {
				return nil, err
			}
			// the kubelet creates a missing subPath directory
			if _, err := os.Lstat(p); os.IsNotExist(err) {
				if err := os.MkdirAll(p, 0o777); err != nil {
					return nil, err
				}
			}
			host = p
		}
		m := oci.Mount{VolumeMount: vm, HostPath: host}
		m.SubPath, m.SubPathExpr = "", ""
		m.ReadOnly = vm.ReadOnly || hv.readOnly
		out = append(out, m)
	}
	return out, nil
}

// cleanupVolumes unmounts the pod's tmpfs volumes and removes its directory.
func (a *Agent) cleanupVolumes(uid string) error {
	root := filepath.Join(a.podDir(uid), "volumes")
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		if isMountPoint(p) {
			if err := unix.Unmount(p, unix.MNT_DETACH); err != nil {
				return err
			}
		}
	}
	return nil
}

// isMountPoint compares a directory's device with its parent's.
func isMountPoint(p string) bool {
	var st, pst unix.Stat_t
	if unix.Lstat(p, &st) != nil || unix.Lstat(filepath.Dir(p), &pst) != nil {
		return false
	}
	return st.Dev != pst.Dev
}

// applyFSGroup gives an emptyDir or PV-backed volume the pod's fsGroup
// (securityContext.fsGroup, fsGroupChangePolicy).
func applyFSGroup(pod *corev1.Pod, dir string, readOnly bool) error {
	sc := pod.Spec.SecurityContext
	if sc == nil || sc.FSGroup == nil {
		return nil
	}
	if err := volume.SetOwnership(dir, *sc.FSGroup, readOnly, sc.FSGroupChangePolicy); err != nil {
		return fmt.Errorf("applying fsGroup %d: %w", *sc.FSGroup, err)
	}
	return nil
}

// containerDevices maps a container's volumeDevices onto the loop devices
// of its Block-mode claims.
func containerDevices(c *corev1.Container, volumes map[string]hostVolume) ([]oci.Device, error) {
	var out []oci.Device
	for _, vd := range c.VolumeDevices {
		hv, ok := volumes[vd.Name]
		if !ok {
			return nil, fmt.Errorf("volume %q is not prepared", vd.Name)
		}
		if hv.device == "" {
			return nil, fmt.Errorf("volume %q is not a block volume: use it in volumeMounts, not volumeDevices", vd.Name)
		}
		var st unix.Stat_t
		if err := unix.Stat(hv.device, &st); err != nil {
			return nil, err
		}
		out = append(out, oci.Device{Path: vd.DevicePath, Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev))})
	}
	return out, nil
}
