package agent

import (
	"context"
	"fmt"
	"os"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// prepareClaimVolume resolves a persistentVolumeClaim (or generic
// ephemeral) volume through its claim to the bound PV and makes it usable:
// a node directory, the staged local-volume mount, a loop device for Block
// mode, or a static hostPath/local path. Errors are the kubelet's
// FailedMount wording; the pod worker retries every second.
func (a *Agent) prepareClaimVolume(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (hostVolume, error) {
	name, ephemeral, _ := volume.ClaimName(pod, v)
	fail := func(err error) (hostVolume, error) {
		return hostVolume{}, fmt.Errorf("Unable to attach or mount volumes: unmounted volumes=[%s], unattached volumes=[%s]: error processing PVC %s/%s: %w",
			v.Name, v.Name, pod.Namespace, name, err)
	}
	claim, err := a.client.CoreV1().PersistentVolumeClaims(pod.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return fail(fmt.Errorf("persistentvolumeclaim %q not found", name))
		}
		return fail(err)
	}
	var pv *corev1.PersistentVolume
	if claim.Spec.VolumeName != "" {
		pv, err = a.client.CoreV1().PersistentVolumes().Get(ctx, claim.Spec.VolumeName, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fail(err)
		}
		if err != nil {
			pv = nil
		}
	}
	readOnly := v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ReadOnly
	r, err := volume.ResolveClaim(pod, ephemeral, readOnly, claim, pv, a.cfg.NodeName)
	if err != nil {
		return fail(err)
	}
	if err := a.storage.use(pod, r.PV.Name, r.OncePod); err != nil {
		a.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedMount", "%v", err)
		return fail(err)
	}
	hv := hostVolume{readOnly: r.ReadOnly}
	switch r.Kind {
	case volume.KindLocalPath, volume.KindLocalVolume:
		hv.path, err = a.storage.mgr.Stage(ctx, r.PV)
	case volume.KindBlock:
		hv.device, err = a.storage.mgr.BlockDevice(ctx, r.PV)
	case volume.KindHostPath:
		hv.path = r.Path
		if t := r.PV.Spec.HostPath.Type; t != nil && *t == corev1.HostPathDirectoryOrCreate {
			err = os.MkdirAll(hv.path, 0o755)
		} else if _, serr := os.Stat(hv.path); serr != nil && t != nil && *t != corev1.HostPathUnset {
			err = fmt.Errorf("hostPath type check failed: %s is not a directory", hv.path)
		}
	case volume.KindLocal:
		hv.path = r.Path
		if _, serr := os.Stat(hv.path); serr != nil {
			err = fmt.Errorf("path %q does not exist", hv.path)
		}
	}
	if err == nil && r.Kind != volume.KindHostPath && r.Kind != volume.KindBlock {
		err = applyFSGroup(pod, hv.path, r.ReadOnly)
	}
	if err != nil {
		return hostVolume{}, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", r.PV.Name, err)
	}
	return hv, nil
}
