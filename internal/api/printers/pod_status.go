package printers

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// podSummary is what the READY, STATUS and RESTARTS columns of a pod show.
type podSummary struct {
	ready, total int
	status       string
	restarts     int
	lastRestart  time.Time
}

// nodeLostReason is the Status.Reason the node lifecycle controller puts on
// pods of a node that stopped reporting; such pods print as Unknown.
const nodeLostReason = "NodeLost"

// restartTally sums restarts and remembers when the latest one ended.
type restartTally struct {
	count int
	last  time.Time
}

func (t *restartTally) add(st corev1.ContainerStatus) {
	t.count += int(st.RestartCount)
	if term := st.LastTerminationState.Terminated; term != nil && term.FinishedAt.After(t.last) {
		t.last = term.FinishedAt.Time
	}
}

// summarizePod reproduces kubectl's pod status logic. The STATUS column is
// the most specific reason available: the phase, replaced by the pod's own
// reason, then by the first init container that is not done ("Init:1/3",
// "Init:CrashLoopBackOff", "Init:Error"), then by the app containers' waiting
// or termination reasons ("ContainerCreating", "CrashLoopBackOff",
// "Completed", "ExitCode:1"), and finally by Terminating for a pod being
// deleted.
func summarizePod(pod *corev1.Pod) podSummary {
	s := podSummary{total: len(pod.Spec.Containers), status: initialPodStatus(pod)}

	// Restartable init containers ("sidecars") run for the pod's whole life,
	// so they count as containers of the pod.
	sidecars := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
			s.total++
		}
	}

	var all, sidecar restartTally
	initializing := false
	for i, st := range pod.Status.InitContainerStatuses {
		all.add(st)
		isSidecar := sidecars[st.Name]
		if isSidecar {
			sidecar.add(st)
		}
		switch {
		case st.State.Terminated != nil && st.State.Terminated.ExitCode == 0:
			continue // finished: look at the next init container
		case isSidecar && st.Started != nil && *st.Started:
			if st.Ready {
				s.ready++
			}
			continue // a started sidecar keeps running next to the app
		case st.State.Terminated != nil:
			s.status = "Init:" + terminationReason(st.State.Terminated)
		case st.State.Waiting != nil && st.State.Waiting.Reason != "" && st.State.Waiting.Reason != "PodInitializing":
			s.status = "Init:" + st.State.Waiting.Reason
		default:
			s.status = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		initializing = true
		break
	}

	restarts := all
	if !initializing || podConditionTrue(pod, corev1.PodInitialized) {
		// Once initialized, finished init containers no longer matter:
		// restarts count the sidecars and the app containers only.
		restarts = sidecar
		hasRunning := false
		// Backwards, so the first container's state wins, as in kubectl.
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			st := pod.Status.ContainerStatuses[i]
			restarts.add(st)
			switch {
			case st.State.Waiting != nil && st.State.Waiting.Reason != "":
				s.status = st.State.Waiting.Reason
			case st.State.Terminated != nil:
				s.status = terminationReason(st.State.Terminated)
			case st.Ready && st.State.Running != nil:
				hasRunning = true
				s.ready++
			}
		}
		// A finished container next to a running one does not make the
		// pod Completed.
		if s.status == "Completed" && hasRunning {
			if podConditionTrue(pod, corev1.PodReady) {
				s.status = "Running"
			} else {
				s.status = "NotReady"
			}
		}
	}

	s.restarts, s.lastRestart = restarts.count, restarts.last

	if pod.DeletionTimestamp != nil {
		switch {
		case pod.Status.Reason == nodeLostReason:
			s.status = "Unknown"
		case pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed:
			s.status = "Terminating"
		}
	}
	return s
}

// initialPodStatus is the status before containers are looked at: the
// phase, or the pod's reason (Evicted, NodeAffinity, …), or SchedulingGated
// while scheduling gates hold the pod back.
func initialPodStatus(pod *corev1.Pod) string {
	status := string(pod.Status.Phase)
	if pod.Status.Reason != "" {
		status = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			status = corev1.PodReasonSchedulingGated
		}
	}
	return status
}

// terminationReason names how a container ended: its reason ("Completed",
// "Error", "OOMKilled"), else the signal, else the exit code.
func terminationReason(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	default:
		return fmt.Sprintf("ExitCode:%d", t.ExitCode)
	}
}
