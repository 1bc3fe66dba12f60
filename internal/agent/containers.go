package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-project/berth/internal/runtime/image"
	"github.com/berth-project/berth/internal/runtime/oci"
	corev1 "k8s.io/api/core/v1"
)

// errImage marks image problems, reported as ErrImagePull and the like.
type errImage struct {
	reason string
	err    error
}

func (e *errImage) Error() string { return e.err.Error() }

// ensureImage makes the container's image present according to its pull
// policy. berth clusters are often offline: when a pull for an image the
// node already has fails, the node's copy is used and a warning says so.
func (a *Agent) ensureImage(ctx context.Context, pod *corev1.Pod, c *corev1.Container) (*image.Image, error) {
	ref := c.Image
	local, localErr := a.images.Get(ref)
	policy := c.ImagePullPolicy
	switch {
	case policy == corev1.PullNever:
		if localErr != nil {
			return nil, &errImage{"ErrImageNeverPull", fmt.Errorf("Container image %q is not present with pull policy of Never", ref)}
		}
		return local, nil
	case policy == corev1.PullIfNotPresent && localErr == nil:
		return local, nil
	}
	if localErr == nil && a.pullRecentlyFailed(ref) {
		// Offline: do not wait on the registry for every container.
		return local, nil
	}
	a.recorder.Eventf(pod, corev1.EventTypeNormal, "Pulling", "Pulling image %q", ref)
	pctx := ctx
	if localErr == nil {
		// With a copy on the node, a registry that does not answer quickly
		// is treated as unreachable.
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, localCopyPullTimeout)
		defer cancel()
	}
	img, err := a.images.Pull(pctx, ref, image.PullOptions{})
	if err != nil {
		a.notePullFailure(ref)
		if localErr == nil {
			a.recorder.Eventf(pod, corev1.EventTypeWarning, "PullFailedUsingLocal", "Failed to pull image %q (%v); using the copy present on the node", ref, err)
			return local, nil
		}
		a.recorder.Eventf(pod, corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %v", ref, err)
		return nil, &errImage{"ErrImagePull", fmt.Errorf("failed to pull image %q: %w", ref, err)}
	}
	a.recorder.Eventf(pod, corev1.EventTypeNormal, "Pulled", "Successfully pulled image %q", ref)
	return img, nil
}

// runcID names a container attempt: unique per node and parseable after an
// agent restart (pod UID, container name, attempt).
func runcID(uid, name string, attempt int) string {
	return fmt.Sprintf("%s_%s_%d", uid, name, attempt)
}

func parseRuncID(id string) (uid, name string, attempt int, ok bool) {
	parts := strings.Split(id, "_")
	if len(parts) != 3 {
		return "", "", 0, false
	}
	if _, err := fmt.Sscanf(parts[2], "%d", &attempt); err != nil {
		return "", "", 0, false
	}
	return parts[0], parts[1], attempt, true
}

func (a *Agent) containerBundle(uid, name string, attempt int) string {
	return filepath.Join(a.podDir(uid), "containers", fmt.Sprintf("%s-%d", name, attempt))
}

// logPath is where a container attempt's output goes, in the CRI format
// (the kubelet's /var/log/pods/<ns>_<name>_<uid>/<container>/<n>.log).
func (a *Agent) logPath(pod *corev1.Pod, name string, attempt int) string {
	return filepath.Join(a.cfg.logsDir(), fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID), name, fmt.Sprintf("%d.log", attempt))
}

// startContainer creates and starts one attempt of a container.
func (a *Agent) startContainer(ctx context.Context, pod *corev1.Pod, c *corev1.Container, sb *sandbox, volumes map[string]hostVolume, attempt int, img *image.Image) (string, error) {
	uid := string(pod.UID)
	id := runcID(uid, c.Name, attempt)
	bundle := a.containerBundle(uid, c.Name, attempt)
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		return "", err
	}
	rootfs, err := a.images.RootFS(ctx, c.Image, bundle)
	if err != nil {
		return "", fmt.Errorf("root filesystem: %w", err)
	}
	base, env, err := a.resolveEnv(ctx, pod, c, sb.ip.String(), a.cfg.NodeIP.String())
	if err != nil {
		return "", &errImage{"CreateContainerConfigError", err}
	}
	mounts, err := containerMounts(c, volumes, envMap(base, env))
	if err != nil {
		return "", &errImage{"CreateContainerConfigError", err}
	}
	devices, err := containerDevices(c, volumes)
	if err != nil {
		return "", &errImage{"CreateContainerConfigError", err}
	}
	termLog := filepath.Join(bundle, "termination-log")
	if f, err := os.Create(termLog); err == nil {
		f.Close()
	}
	in := oci.Input{
		Pod: pod, Container: c, Image: img.Config, BaseEnv: base, Env: env, RootFS: rootfs,
		NetNSPath: sb.netnsPath, IPCNSPath: sb.ipcPath,
		HostsPath: sb.hostsPath, ResolvConfPath: sb.resolvPath, HostnamePath: sb.hostnamePath,
		TerminationLogPath: termLog, Mounts: mounts, Devices: devices,
		CgroupsPath:        fmt.Sprintf("/berth/%s/pod%s/%s", a.cfg.NodeName, uid, id),
		NodeMemoryCapacity: a.host.memoryBytes,
		ImageFS:            os.DirFS(rootfs),
	}
	spec, err := oci.BuildSpec(in)
	if err != nil {
		return "", &errImage{"CreateContainerConfigError", err}
	}
	b, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644); err != nil {
		return "", err
	}
	logPath := a.logPath(pod, c.Name, attempt)
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return "", err
	}
	if _, err := a.runc.Run(ctx, id, bundle, runcCreateOptions(logPath)); err != nil {
		return id, err
	}
	return id, nil
}

// removeContainer deletes a container attempt and its root filesystem.
func (a *Agent) removeContainer(ctx context.Context, uid, name string, attempt int) error {
	id := runcID(uid, name, attempt)
	err := a.runc.Delete(ctx, id, true)
	if err != nil && !isNotFound(err) {
		return err
	}
	bundle := a.containerBundle(uid, name, attempt)
	if err := a.images.ReleaseRootFS(bundle); err != nil {
		return err
	}
	return os.RemoveAll(bundle)
}

func isNotFound(err error) bool {
	return err != nil && (errors.Is(err, os.ErrNotExist) || errors.Is(err, errRuncNotFound()))
}
