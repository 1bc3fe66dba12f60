package agent

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/berth-project/berth/internal/runtime/runc"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// probeState tracks a running container's probes.
type probeState struct {
	started, ready bool
	startupInit    bool
	last           map[string]time.Time
	ok, fail       map[string]int
}

// probeDecision is the pure part of probing: given a probe's outcome and its
// counters, whether the threshold flips the state.
func probeDecision(p *corev1.Probe, success bool, okCount, failCount int) (flipToSuccess, flipToFailure bool) {
	successThreshold, failureThreshold := int(p.SuccessThreshold), int(p.FailureThreshold)
	if successThreshold < 1 {
		successThreshold = 1
	}
	if failureThreshold < 1 {
		failureThreshold = 3
	}
	if success {
		return okCount >= successThreshold, false
	}
	return false, failCount >= failureThreshold
}

// probe runs the container's startup, liveness and readiness probes when
// they are due.
func (w *podWorker) probe(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr) {
	ps := &c.probes
	if ps.last == nil {
		ps.last, ps.ok, ps.fail = map[string]time.Time{}, map[string]int{}, map[string]int{}
		ps.started = spec.StartupProbe == nil
		ps.ready = spec.ReadinessProbe == nil && ps.started
	}
	now := time.Now()
	due := func(kind string, p *corev1.Probe) bool {
		if p == nil {
			return false
		}
		if now.Sub(c.state.Started) < time.Duration(p.InitialDelaySeconds)*time.Second {
			return false
		}
		period := time.Duration(p.PeriodSeconds) * time.Second
		if period <= 0 {
			period = 10 * time.Second
		}
		return now.Sub(ps.last[kind]) >= period
	}
	run := func(kind string, p *corev1.Probe) (flipOK, flipFail bool) {
		ps.last[kind] = now
		ok := w.runProbe(ctx, pod, spec, c, p)
		if ok {
			ps.ok[kind]++
			ps.fail[kind] = 0
		} else {
			ps.fail[kind]++
			ps.ok[kind] = 0
		}
		return probeDecision(p, ok, ps.ok[kind], ps.fail[kind])
	}
	if !ps.started {
		if due("startup", spec.StartupProbe) {
			okFlip, failFlip := run("startup", spec.StartupProbe)
			if okFlip {
				ps.started = true
				ps.ready = spec.ReadinessProbe == nil
			} else if failFlip {
				w.kill(ctx, pod, c, "Startup probe failed")
			}
		}
		return
	}
	if due("liveness", spec.LivenessProbe) {
		if _, failFlip := run("liveness", spec.LivenessProbe); failFlip {
			w.kill(ctx, pod, c, "Liveness probe failed")
			return
		}
	}
	if due("readiness", spec.ReadinessProbe) {
		okFlip, failFlip := run("readiness", spec.ReadinessProbe)
		if okFlip {
			ps.ready = true
		} else if failFlip {
			if ps.ready {
				w.a.recorder.Eventf(pod, corev1.EventTypeWarning, "Unhealthy", "Readiness probe failed for container %s", spec.Name)
			}
			ps.ready = false
		}
	}
}

// kill stops a container that failed its probes; the restart policy then
// decides what happens.
func (w *podWorker) kill(ctx context.Context, pod *corev1.Pod, c *ctr, why string) {
	w.a.recorder.Eventf(pod, corev1.EventTypeWarning, "Unhealthy", "%s; container %s will be restarted", why, c.name)
	c.killed = true
	_ = w.a.runc.Kill(ctx, c.id, syscall.SIGKILL, true)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if st, err := w.a.runc.Wait(wctx, c.id); err == nil {
		c.state = st
	}
	cancel()
}

func (w *podWorker) runProbe(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr, p *corev1.Probe) bool {
	timeout := time.Duration(p.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = time.Second
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return w.runAction(pctx, pod, spec, c, p.Exec, p.HTTPGet, p.TCPSocket) == nil
}

// runHandler runs a lifecycle hook (preStop, postStart).
func (w *podWorker) runHandler(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr, h *corev1.LifecycleHandler) {
	if h.Sleep != nil {
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(h.Sleep.Seconds) * time.Second):
		}
		return
	}
	if err := w.runAction(ctx, pod, spec, c, h.Exec, h.HTTPGet, h.TCPSocket); err != nil {
		w.a.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedPreStopHook", "hook for container %s failed: %v", spec.Name, err)
	}
}

func (w *podWorker) runAction(ctx context.Context, pod *corev1.Pod, spec *corev1.Container, c *ctr, ex *corev1.ExecAction, hg *corev1.HTTPGetAction, tcp *corev1.TCPSocketAction) error {
	host := ""
	if w.sb != nil && w.sb.ip != nil {
		host = w.sb.ip.String()
	}
	switch {
	case ex != nil:
		var out bytes.Buffer
		code, err := w.a.runc.Exec(ctx, c.id, runc.ExecOptions{Args: ex.Command, Stdout: &out, Stderr: &out})
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("exit code %d: %s", code, out.String())
		}
		return nil
	case hg != nil:
		port, err := resolvePort(hg.Port, spec)
		if err != nil {
			return err
		}
		if hg.Host != "" {
			host = hg.Host
		}
		scheme := "http"
		if hg.Scheme == corev1.URISchemeHTTPS {
			scheme = "https"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(host, strconv.Itoa(port)), hg.Path), nil)
		if err != nil {
			return err
		}
		for _, h := range hg.HTTPHeaders {
			req.Header.Add(h.Name, h.Value)
		}
		req.Header.Set("User-Agent", "kube-probe/1.37")
		resp, err := probeClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return fmt.Errorf("HTTP probe failed with statuscode: %d", resp.StatusCode)
		}
		return nil
	case tcp != nil:
		port, err := resolvePort(tcp.Port, spec)
		if err != nil {
			return err
		}
		if tcp.Host != "" {
			host = tcp.Host
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		return conn.Close()
	}
	return fmt.Errorf("probe has no handler")
}

var probeClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	},
}

// resolvePort turns a probe port (number or container port name) into a
// number.
func resolvePort(p intstr.IntOrString, c *corev1.Container) (int, error) {
	if p.Type == intstr.Int {
		return p.IntValue(), nil
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("port %q not found in container %s", p.StrVal, c.Name)
}
