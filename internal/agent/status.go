package agent

import (
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// containerView is what the agent knows about one container of a pod.
type containerView struct {
	name, image, imageID string
	id                   string // runc id of the current attempt; "" if none yet
	running              bool
	exited               bool
	exitCode             int
	reason               string // for exited: Completed, Error, OOMKilled
	startedAt, finished  time.Time
	restartCount         int
	lastTerm             *corev1.ContainerStateTerminated
	waitReason, waitMsg  string
	ready, started       bool
}

// podView is the agent's observation of a pod, from which its status is
// computed.
type podView struct {
	pod          *corev1.Pod
	sandboxReady bool
	podIP        net.IP
	hostIP       net.IP
	inits, ctrs  []containerView
	startTime    time.Time
	// evicted: the agent evicted the pod (emptyDir over its sizeLimit);
	// the pod is Failed with reason Evicted and this message.
	evicted string
}

func containerID(id string) string {
	if id == "" {
		return ""
	}
	return "runc://" + id
}

func (c containerView) status() corev1.ContainerStatus {
	st := corev1.ContainerStatus{
		Name: c.name, Image: c.image, ImageID: c.imageID, ContainerID: containerID(c.id),
		RestartCount: int32(c.restartCount), Ready: c.ready,
	}
	started := c.running && c.started
	st.Started = &started
	switch {
	case c.running:
		st.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(c.startedAt)}
	case c.exited && c.waitReason == "":
		st.State.Terminated = &corev1.ContainerStateTerminated{
			ExitCode: int32(c.exitCode), Reason: c.reason, StartedAt: metav1.NewTime(c.startedAt),
			FinishedAt: metav1.NewTime(c.finished), ContainerID: containerID(c.id),
		}
	default:
		reason := c.waitReason
		if reason == "" {
			reason = "ContainerCreating"
		}
		st.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: c.waitMsg}
	}
	if c.lastTerm != nil {
		st.LastTerminationState.Terminated = c.lastTerm.DeepCopy()
	}
	return st
}

// initDone reports whether every init container completed successfully.
func (v podView) initDone() bool {
	for _, c := range v.inits {
		if !(c.exited && c.exitCode == 0 && c.waitReason == "") {
			return false
		}
	}
	return true
}

// phase follows the kubelet's rules for the pod phase.
func (v podView) phase() corev1.PodPhase {
	if v.evicted != "" {
		return corev1.PodFailed
	}
	policy := v.pod.Spec.RestartPolicy
	for _, c := range v.inits {
		if c.exited && c.exitCode != 0 && policy == corev1.RestartPolicyNever {
			return corev1.PodFailed
		}
	}
	if !v.initDone() {
		return corev1.PodPending
	}
	running, succeeded, failed, waiting, everStarted := 0, 0, 0, 0, 0
	for _, c := range v.ctrs {
		switch {
		case c.running:
			running++
		case c.exited && c.waitReason == "":
			if c.exitCode == 0 {
				succeeded++
			} else {
				failed++
			}
		default:
			waiting++
		}
		if c.running || c.exited || c.restartCount > 0 {
			everStarted++
		}
	}
	switch {
	case running > 0:
		return corev1.PodRunning
	case waiting > 0:
		if everStarted > 0 && policy == corev1.RestartPolicyAlways {
			return corev1.PodRunning // crash-looping containers are restarted
		}
		if everStarted > 0 && policy == corev1.RestartPolicyOnFailure {
			return corev1.PodRunning
		}
		return corev1.PodPending
	case failed > 0 && policy == corev1.RestartPolicyNever:
		return corev1.PodFailed
	case failed == 0 && succeeded == len(v.ctrs) && policy != corev1.RestartPolicyAlways:
		return corev1.PodSucceeded
	case policy == corev1.RestartPolicyAlways:
		return corev1.PodRunning
	default:
		return corev1.PodRunning
	}
}

// computePodStatus builds the status the agent reports for a pod.
func computePodStatus(v podView, now time.Time) corev1.PodStatus {
	old := v.pod.Status
	st := corev1.PodStatus{
		Phase:    v.phase(),
		QOSClass: old.QOSClass,
	}
	if v.evicted != "" {
		st.Reason, st.Message = "Evicted", v.evicted
	}
	if v.hostIP != nil {
		st.HostIP = v.hostIP.String()
		st.HostIPs = []corev1.HostIP{{IP: st.HostIP}}
	}
	if v.podIP != nil {
		st.PodIP = v.podIP.String()
		st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	}
	if !v.startTime.IsZero() {
		t := metav1.NewTime(v.startTime)
		st.StartTime = &t
	}
	for _, c := range v.inits {
		cs := c.status()
		if !v.initDone() && !c.running && !c.exited && c.waitReason == "" {
			cs.State.Waiting.Reason = "PodInitializing"
		}
		st.InitContainerStatuses = append(st.InitContainerStatuses, cs)
	}
	initDone := v.initDone()
	allReady := len(v.ctrs) > 0
	for _, c := range v.ctrs {
		cs := c.status()
		if !initDone && cs.State.Waiting != nil && cs.State.Waiting.Reason == "ContainerCreating" {
			cs.State.Waiting.Reason = "PodInitializing"
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
		if !c.ready {
			allReady = false
		}
	}
	terminal := st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed
	cond := func(t corev1.PodConditionType, ok bool, reason string) {
		status := corev1.ConditionFalse
		if ok {
			status, reason = corev1.ConditionTrue, ""
		}
		c := corev1.PodCondition{Type: t, Status: status, Reason: reason, LastTransitionTime: metav1.NewTime(now)}
		for _, oc := range old.Conditions {
			if oc.Type == t && oc.Status == status {
				c.LastTransitionTime = oc.LastTransitionTime
			}
		}
		st.Conditions = append(st.Conditions, c)
	}
	cond(corev1.PodReadyToStartContainers, v.sandboxReady && !terminal || (terminal && v.sandboxReady), "")
	cond(corev1.PodInitialized, initDone, "ContainersNotInitialized")
	ready := allReady && !terminal
	reason := "ContainersNotReady"
	if terminal {
		reason = "PodCompleted"
	}
	cond(corev1.ContainersReady, ready, reason)
	cond(corev1.PodReady, ready, reason)
	if v.evicted != "" {
		cond(corev1.DisruptionTarget, true, "")
		st.Conditions[len(st.Conditions)-1].Reason = "TerminationByKubelet"
		st.Conditions[len(st.Conditions)-1].Message = v.evicted
	}
	for _, oc := range old.Conditions {
		if oc.Type == corev1.PodScheduled {
			st.Conditions = append(st.Conditions, oc)
		}
	}
	return st
}
