package agent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/berth-project/berth/internal/runtime/image"
	"github.com/berth-project/berth/internal/runtime/runc"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// ctr is the agent's record of one container of a pod across attempts.
type ctr struct {
	name       string
	attempt    int // attempts started so far; the current one is attempt-1
	id         string
	state      *runc.State
	lastTerm   *corev1.ContainerStateTerminated
	backoff    time.Duration // the wait before the next restart after this one
	waitFor    time.Duration // the wait before the pending restart
	nextStart  time.Time
	waitReason string
	waitMsg    string
	image      *image.Image
	probes     probeState
	killed     bool // the agent stopped it (liveness, deletion)
}

// podWorker owns one pod: it drives the pod towards its spec, one sync at a
// time, on every change of the pod and every second.
type podWorker struct {
	a      *Agent
	uid    types.UID
	notify chan struct{}

	mu      sync.Mutex
	pod     *corev1.Pod
	gone    bool // the pod object was deleted from the API
	adopted bool

	sb         *sandbox
	volumes    map[string]hostVolume
	ctrs       map[string]*ctr
	startTime  time.Time
	lastStatus *corev1.PodStatus
	finished   bool // terminated and cleaned up
	// evicted is the eviction message once the agent evicted the pod;
	// lastUsage is when emptyDir usage was last measured.
	evicted   string
	lastUsage time.Time
}

func newPodWorker(a *Agent, pod *corev1.Pod) *podWorker {
	return &podWorker{a: a, uid: pod.UID, pod: pod, notify: make(chan struct{}, 1), ctrs: map[string]*ctr{}}
}

func (w *podWorker) update(pod *corev1.Pod) {
	w.mu.Lock()
	if pod.ResourceVersion != "" {
		w.pod = pod
	}
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *podWorker) markGone() {
	w.mu.Lock()
	w.gone = true
	w.mu.Unlock()
	w.update(&corev1.Pod{})
}

func (w *podWorker) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		done := w.sync(ctx)
		if done {
			w.a.forgetWorker(w.uid)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-w.notify:
		case <-tick.C:
		}
	}
}

// sync is one reconciliation of the pod; it returns true when the worker
// has nothing left to do.
func (w *podWorker) sync(ctx context.Context) bool {
	w.mu.Lock()
	pod, gone := w.pod.DeepCopy(), w.gone
	w.mu.Unlock()
	a := w.a
	if !w.adopted {
		w.adopt(ctx, pod)
		w.adopted = true
	}
	if gone {
		w.terminate(ctx, pod, 0)
		return true
	}
	// The API may not have told us yet that the pod is gone.
	if pod.DeletionTimestamp != nil {
		if !w.finished {
			grace := int64(0)
			if pod.DeletionGracePeriodSeconds != nil {
				grace = *pod.DeletionGracePeriodSeconds
			}
			w.terminate(ctx, pod, time.Duration(grace)*time.Second)
			w.finished = true
		}
		zero := int64(0)
		err := a.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return true
		}
		a.log.Warn("deleting terminated pod", "pod", pod.Namespace+"/"+pod.Name, "err", err)
		return false
	}
	if w.evicted != "" {
		w.reportStatus(ctx, pod)
		return false
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		// Finished pods keep their status; their containers are gone.
		w.observe(ctx)
		return false
	}
	if w.sb == nil {
		sb, err := a.ensureSandbox(pod)
		if err != nil {
			a.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
			w.reportStatus(ctx, pod)
			return false
		}
		w.sb = sb
		w.startTime = time.Now()
		if pod.Status.StartTime != nil {
			w.startTime = pod.Status.StartTime.Time
		}
	}
	if w.volumes == nil {
		vols, err := a.prepareVolumes(ctx, pod)
		if err != nil {
			a.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedMount", "%v", err)
			w.reportStatus(ctx, pod)
			return false
		}
		w.volumes = vols
	} else {
		a.refreshPayloadVolumes(ctx, pod)
		if w.checkEmptyDirUsage(ctx, pod) {
			return false
		}
	}
	w.observe(ctx)
	if w.syncInitContainers(ctx, pod) {
		w.syncContainers(ctx, pod)
	}
	w.reportStatus(ctx, pod)
	return false
}

// adopt finds containers a previous agent started for this pod.
func (w *podWorker) adopt(ctx context.Context, pod *corev1.Pod) {
	states, err := w.a.runc.List(ctx)
	if err != nil {
		return
	}
	for _, st := range states {
		uid, name, attempt, ok := parseRuncID(st.ID)
		if !ok || uid != string(w.uid) {
			continue
		}
		c := w.ctr(name)
		if attempt+1 > c.attempt {
			if c.state != nil && c.state.Status == runc.StatusStopped {
				c.lastTerm = terminatedState(c.state)
			}
			c.attempt, c.id, c.state = attempt+1, st.ID, st
		}
		if img, err := w.a.images.Get(containerImage(pod, name)); err == nil {
			c.image = img
		}
	}
	// A restarted agent keeps what its predecessor knew about readiness,
	// so adopting running pods does not flap them unready.
	for _, cs := range pod.Status.ContainerStatuses {
		if c, ok := w.ctrs[cs.Name]; ok && cs.Ready && cs.State.Running != nil {
			c.probes = probeState{started: true, ready: true, last: map[string]time.Time{}, ok: map[string]int{}, fail: map[string]int{}}
		}
	}
	if len(w.ctrs) > 0 {
		// The sandbox exists; ensureSandbox finds it again idempotently.
		w.a.log.Info("adopted running pod", "pod", pod.Namespace+"/"+pod.Name, "containers", len(w.ctrs))
	}
}

func containerImage(pod *corev1.Pod, name string) string {
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		if c.Name == name {
			return c.Image
		}
	}
	return ""
}

func (w *podWorker) ctr(name string) *ctr {
	c, ok := w.ctrs[name]
	if !ok {
		c = &ctr{name: name}
		w.ctrs[name] = c
	}
	return c
}

// observe refreshes every container's runtime state.
func (w *podWorker) observe(ctx context.Context) {
	for _, c := range w.ctrs {
		if c.id == "" {
			continue
		}
		st, err := w.a.runc.State(ctx, c.id)
		if err == nil {
			c.state = st
		}
	}
}

func terminatedState(st *runc.State) *corev1.ContainerStateTerminated {
	reason := "Completed"
	if st.ExitCode != 0 {
		reason = "Error"
	}
	if st.Error != "" {
		reason = "StartError"
	}
	return &corev1.ContainerStateTerminated{
		ExitCode: int32(st.ExitCode), Reason: reason, Message: st.Error,
		StartedAt: metav1.NewTime(st.Started), FinishedAt: metav1.NewTime(st.Finished), ContainerID: containerID(st.ID),
	}
}

func running(c *ctr) bool { return c.state != nil && c.state.Status == runc.StatusRunning }
func exited(c *ctr) bool  { return c.state != nil && c.state.Status == runc.StatusStopped }

// syncInitContainers runs init containers one after another; it returns
// true once all of them have completed.
func (w *podWorker) syncInitContainers(ctx context.Context, pod *corev1.Pod) bool {
	for i := range pod.Spec.InitContainers {
		spec := &pod.Spec.InitContainers[i]
		c := w.ctr(spec.Name)
		switch {
		case running(c):
			return false
		case exited(c) && c.state.ExitCode == 0:
			continue
		case exited(c):
			if pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
				return false
			}
			w.maybeRestart(ctx, pod, spec, c)
			return false
		default:
			w.start(ctx, pod, spec, c)
			return false
		}
	}
	return true
}

// syncContainers starts, restarts and probes the app containers.
func (w *podWorker) syncContainers(ctx context.Context, pod *corev1.Pod) {
	for i := range pod.Spec.Containers {
		spec := &pod.Spec.Containers[i]
		c := w.ctr(spec.Name)
		switch {
		case running(c):
			w.probe(ctx, pod, spec, c)
		case exited(c):
			c.probes.ready = false
			if shouldRestart(string(pod.Spec.RestartPolicy), c.state.ExitCode) {
				w.maybeRestart(ctx, pod, spec, c)
			}
		default:
			w.start(ctx, pod, spec, c)
		}
	}
}

// maybeRestart restarts an exited container once its back-off has passed,
// reporting CrashLoopBackOff while it waits.
func (w *podWorker) maybeRestart(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr) {
	now := time.Now()
	if c.nextStart.IsZero() {
		// The kubelet restarts a container at once after its first failure
		// (or after a long run), then waits 10s, 20s, 40s … up to 5 minutes.
		ranFor := c.state.Finished.Sub(c.state.Started)
		if c.backoff == 0 || ranFor >= backoffReset {
			c.nextStart, c.waitFor = now, 0
			c.backoff = backoffInitial
		} else {
			c.nextStart, c.waitFor = c.state.Finished.Add(c.backoff), c.backoff
			c.backoff = nextBackoff(c.backoff, ranFor)
		}
	}
	if now.Before(c.nextStart) {
		c.waitReason = "CrashLoopBackOff"
		c.waitMsg = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", c.waitFor, spec.Name, pod.Name, pod.Namespace, pod.UID)
		return
	}
	c.lastTerm = terminatedState(c.state)
	// The previous attempt stays for `kubectl logs --previous`; older go.
	if c.attempt >= 2 {
		_ = w.a.removeContainer(ctx, string(pod.UID), spec.Name, c.attempt-2)
	}
	c.nextStart = time.Time{}
	w.start(ctx, pod, spec, c)
}

// start pulls the image if needed and starts the next attempt.
func (w *podWorker) start(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr) {
	a := w.a
	img, err := a.ensureImage(ctx, pod, spec)
	if err != nil {
		var ie *errImage
		if errors.As(err, &ie) {
			c.waitReason, c.waitMsg = ie.reason, ie.Error()
			if ie.reason == "ErrImagePull" && c.waitReason == "ErrImagePull" && !c.nextStart.IsZero() {
				c.waitReason = "ImagePullBackOff"
			}
		} else {
			c.waitReason, c.waitMsg = "ErrImagePull", err.Error()
		}
		c.nextStart = time.Now()
		return
	}
	c.image = img
	attempt := c.attempt
	id, err := a.startContainer(ctx, pod, spec, w.sb, w.volumes, attempt, img)
	c.attempt++
	c.id = id
	c.probes = probeState{}
	c.killed = false
	if err != nil {
		var ie *errImage
		if errors.As(err, &ie) {
			c.waitReason, c.waitMsg = ie.reason, ie.Error()
			c.attempt--
			return
		}
		a.recorder.Eventf(pod, corev1.EventTypeWarning, "Failed", "Error: %v", err)
		c.waitReason, c.waitMsg = "", ""
		if st, serr := a.runc.State(ctx, id); serr == nil {
			c.state = st
		}
		return
	}
	c.waitReason, c.waitMsg = "", ""
	if st, err := a.runc.State(ctx, id); err == nil {
		c.state = st
	}
	verb := "Started"
	a.recorder.Eventf(pod, corev1.EventTypeNormal, verb, "Started container %s", spec.Name)
}

// terminate stops every container (preStop hook, SIGTERM, then SIGKILL
// when the grace period is over) and removes the pod's sandbox, volumes and
// containers.
func (w *podWorker) terminate(ctx context.Context, pod *corev1.Pod, grace time.Duration) {
	a := w.a
	deadline := time.Now().Add(grace)
	var wg sync.WaitGroup
	for _, c := range w.ctrs {
		if !running(c) {
			continue
		}
		spec := findContainer(pod, c.name)
		wg.Add(1)
		go func(c *ctr) {
			defer wg.Done()
			if spec != nil && spec.Lifecycle != nil && spec.Lifecycle.PreStop != nil && grace > 0 {
				hctx, cancel := context.WithDeadline(ctx, deadline)
				w.runHandler(hctx, pod, spec, c, spec.Lifecycle.PreStop)
				cancel()
			}
			_ = a.runc.Kill(ctx, c.id, syscall.SIGTERM, true)
			wctx, cancel := context.WithDeadline(ctx, deadline)
			_, err := a.runc.Wait(wctx, c.id)
			cancel()
			if err != nil {
				_ = a.runc.Kill(ctx, c.id, syscall.SIGKILL, true)
				kctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, _ = a.runc.Wait(kctx, c.id)
				cancel()
			}
		}(c)
	}
	wg.Wait()
	uid := string(w.uid)
	for _, c := range w.ctrs {
		for attempt := 0; attempt < c.attempt; attempt++ {
			if err := a.removeContainer(ctx, uid, c.name, attempt); err != nil {
				a.log.Warn("removing container", "pod", pod.Namespace+"/"+pod.Name, "container", c.name, "err", err)
			}
		}
	}
	if err := a.cleanupVolumes(uid); err != nil {
		a.log.Warn("unmounting volumes", "pod", uid, "err", err)
	}
	a.storage.release(w.uid)
	a.forgetTokens(w.uid)
	w.volumes = nil
	if err := a.teardownSandbox(uid, pod.Spec.HostNetwork); err != nil {
		a.log.Warn("tearing down sandbox", "err", err)
	}
	a.removePodCgroups(uid)
	removePodDir(a.podDir(uid))
	removePodDir(filepath.Join(a.cfg.logsDir(), fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID)))
	w.sb = nil
	a.log.Info("pod terminated", "pod", pod.Namespace+"/"+pod.Name, "grace", grace)
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

// view turns the worker's records into the input of computePodStatus.
func (w *podWorker) view(pod *corev1.Pod) podView {
	v := podView{pod: pod, sandboxReady: w.sb != nil, hostIP: w.a.cfg.NodeIP, startTime: w.startTime, evicted: w.evicted}
	if w.sb != nil {
		v.podIP = w.sb.ip
	} else if pod.Status.PodIP != "" {
		v.podIP = parseIP(pod.Status.PodIP)
	}
	mk := func(spec corev1.Container) containerView {
		cv := containerView{name: spec.Name, image: spec.Image}
		c, ok := w.ctrs[spec.Name]
		if !ok {
			return cv
		}
		if c.image != nil {
			cv.imageID = c.image.ID
		}
		cv.id = c.id
		cv.restartCount = c.attempt - 1
		if cv.restartCount < 0 {
			cv.restartCount = 0
		}
		cv.lastTerm = c.lastTerm
		cv.waitReason, cv.waitMsg = c.waitReason, c.waitMsg
		if c.state != nil {
			cv.running = c.state.Status == runc.StatusRunning
			cv.exited = c.state.Status == runc.StatusStopped
			cv.exitCode = c.state.ExitCode
			cv.startedAt, cv.finished = c.state.Started, c.state.Finished
			if cv.exited {
				cv.reason = terminatedState(c.state).Reason
			}
		}
		cv.ready = cv.running && c.probes.ready
		cv.started = cv.running && c.probes.started
		return cv
	}
	for _, c := range pod.Spec.InitContainers {
		v.inits = append(v.inits, mk(c))
	}
	for _, c := range pod.Spec.Containers {
		v.ctrs = append(v.ctrs, mk(c))
	}
	return v
}

// reportStatus writes the pod's status when it changed.
func (w *podWorker) reportStatus(ctx context.Context, pod *corev1.Pod) {
	st := computePodStatus(w.view(pod), time.Now())
	if w.lastStatus != nil && apiequality.Semantic.DeepEqual(*w.lastStatus, st) {
		return
	}
	if apiequality.Semantic.DeepEqual(pod.Status, st) {
		w.lastStatus = &st
		return
	}
	for i := 0; i < 3; i++ {
		cur, err := w.a.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil || cur.UID != pod.UID {
			return
		}
		cur.Status = st
		if _, err := w.a.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err == nil {
			w.lastStatus = &st
			return
		} else if !apierrors.IsConflict(err) {
			w.a.log.Warn("pod status", "pod", pod.Namespace+"/"+pod.Name, "err", err)
			return
		}
	}
}
