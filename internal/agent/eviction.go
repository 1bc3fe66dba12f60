package agent

import (
	"context"
	"time"

	"github.com/berth-project/berth/internal/runtime/runc"
	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
)

// usageCheckInterval is how often disk emptyDirs with a sizeLimit are
// measured (the kubelet's eviction manager runs every 10s).
const usageCheckInterval = 10 * time.Second

// checkEmptyDirUsage evicts the pod when a disk emptyDir uses more than
// its sizeLimit, as the kubelet's eviction manager does: the containers
// are stopped and the pod is Failed with reason Evicted. It returns true
// when it evicted the pod.
func (w *podWorker) checkEmptyDirUsage(ctx context.Context, pod *corev1.Pod) bool {
	if time.Since(w.lastUsage) < usageCheckInterval {
		return false
	}
	w.lastUsage = time.Now()
	for _, v := range pod.Spec.Volumes {
		ed := v.EmptyDir
		if ed == nil || ed.SizeLimit == nil || ed.Medium == corev1.StorageMediumMemory {
			continue // a Memory emptyDir's tmpfs is its own limit
		}
		used, err := volume.DirUsage(w.a.volumeDir(string(pod.UID), v.Name))
		if err != nil {
			continue
		}
		msg, over := volume.EmptyDirOverLimit(v.Name, used, *ed.SizeLimit)
		if !over {
			continue
		}
		w.a.recorder.Eventf(pod, corev1.EventTypeWarning, "Evicted", "%s", msg)
		w.a.log.Info("evicting pod", "pod", pod.Namespace+"/"+pod.Name, "reason", msg)
		w.observe(ctx)
		w.terminate(ctx, pod, 0)
		for _, c := range w.ctrs { // removed now: their last state is "killed"
			if c.state != nil && c.state.Status != runc.StatusStopped {
				st := *c.state
				st.Status, st.ExitCode, st.Finished = runc.StatusStopped, 137, time.Now()
				c.state = &st
			}
		}
		w.evicted = msg
		w.reportStatus(ctx, pod)
		return true
	}
	return false
}
