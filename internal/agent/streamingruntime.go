package agent

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/berth-project/berth/internal/agent/streaming"
	"github.com/berth-project/berth/internal/runtime/runc"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// serveStreaming starts the HTTPS endpoint the API server proxies
// `kubectl logs/exec/attach/port-forward` to.
func (a *Agent) serveStreaming(ctx context.Context) error {
	if a.cfg.AgentToken == "" {
		a.log.Warn("no agent token: logs/exec/attach/port-forward are not served")
		return nil
	}
	var ips []net.IP
	if a.cfg.NodeIP != nil {
		ips = append(ips, a.cfg.NodeIP)
	}
	srv, err := streaming.New(streaming.Config{
		Address: net.JoinHostPort("", strconv.Itoa(a.cfg.StreamingPort)),
		Token:   a.cfg.AgentToken, Hostnames: []string{a.cfg.NodeName}, IPs: ips,
	}, streamingRuntime{a})
	if err != nil {
		return fmt.Errorf("streaming server: %w", err)
	}
	go func() {
		if err := srv.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("streaming server stopped", "err", err)
		}
	}()
	return nil
}

// streamingRuntime answers the streaming server from the agent's pods.
type streamingRuntime struct{ a *Agent }

// worker finds the pod's worker by namespace/name (and UID when given).
func (r streamingRuntime) worker(p streaming.PodRef) (*podWorker, *corev1.Pod, error) {
	r.a.mu.Lock()
	defer r.a.mu.Unlock()
	for uid, w := range r.a.workers {
		w.mu.Lock()
		pod := w.pod
		w.mu.Unlock()
		if pod.Namespace == p.Namespace && pod.Name == p.Name && (p.UID == "" || types.UID(p.UID) == uid) {
			return w, pod, nil
		}
	}
	return nil, nil, fmt.Errorf("pod %s/%s: %w", p.Namespace, p.Name, streaming.ErrNotFound)
}

// current returns the runc id of a container's current attempt.
func (r streamingRuntime) current(c streaming.ContainerRef) (*podWorker, *corev1.Pod, *ctr, error) {
	w, pod, err := r.worker(c.PodRef)
	if err != nil {
		return nil, nil, nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	rec, ok := w.ctrs[c.Container]
	if !ok || rec.id == "" {
		return nil, nil, nil, fmt.Errorf("container %s in pod %s/%s: %w", c.Container, c.Namespace, c.Name, streaming.ErrNotFound)
	}
	return w, pod, rec, nil
}

func (r streamingRuntime) ContainerLog(ctx context.Context, c streaming.ContainerRef, previous bool) (streaming.LogFile, error) {
	_, pod, rec, err := r.current(c)
	if err != nil {
		return streaming.LogFile{}, err
	}
	attempt := rec.attempt - 1
	if previous {
		attempt--
		if attempt < 0 {
			return streaming.LogFile{}, fmt.Errorf("previous terminated container %q in pod %q not found: %w", c.Container, c.Name, streaming.ErrNotFound)
		}
	}
	path := r.a.logPath(pod, c.Container, attempt)
	if _, err := os.Stat(path); err != nil {
		return streaming.LogFile{}, fmt.Errorf("log of %s: %w", c.Container, streaming.ErrNotFound)
	}
	done := make(chan struct{})
	id := runcID(string(pod.UID), c.Container, attempt)
	go func() {
		defer close(done)
		if previous {
			return
		}
		for {
			st, err := r.a.runc.State(ctx, id)
			if err != nil || st.Status == runc.StatusStopped {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return streaming.LogFile{Path: path, Done: done}, nil
}

func (r streamingRuntime) Exec(ctx context.Context, c streaming.ContainerRef, cmd []string, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	_, _, rec, err := r.current(c)
	if err != nil {
		return err
	}
	opts := runc.ExecOptions{Args: cmd, TTY: tty}
	if stdin != nil {
		opts.Stdin = stdin
	}
	if stdout != nil {
		opts.Stdout = stdout
	}
	if stderr != nil {
		opts.Stderr = stderr
	}
	code, err := r.a.runc.Exec(ctx, rec.id, opts)
	if err != nil {
		return err
	}
	if code != 0 {
		return streaming.ExitError{Code: code}
	}
	return nil
}

func (r streamingRuntime) Attach(ctx context.Context, c streaming.ContainerRef, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	// Containers' output goes to their log; attaching streams it from now on.
	lf, err := r.ContainerLog(ctx, c, false)
	if err != nil {
		return err
	}
	return followCRILog(ctx, lf, stdout, stderr)
}

// followCRILog streams new lines of a CRI log file to stdout/stderr until
// the container stops or ctx ends (what `kubectl attach` shows of a
// container without attached stdin).
func followCRILog(ctx context.Context, lf streaming.LogFile, stdout, stderr io.Writer) error {
	f, err := os.Open(lf.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			line = append(partial, line...)
			partial = nil
			// <time> <stream> <F|P> <text>
			parts := bytes.SplitN(line, []byte(" "), 4)
			if len(parts) == 4 {
				out := stdout
				if string(parts[1]) == "stderr" && stderr != nil {
					out = stderr
				}
				text := parts[3]
				if string(parts[2]) == "P" {
					text = bytes.TrimSuffix(text, []byte("\n"))
				}
				if out != nil {
					if _, werr := out.Write(text); werr != nil {
						return nil
					}
				}
			}
			continue
		}
		partial = append(partial, line...)
		if err != nil && err != io.EOF {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-lf.Done:
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// PortForward dials the port inside the pod's network namespace.
func (r streamingRuntime) PortForward(ctx context.Context, p streaming.PodRef, port int32, stream io.ReadWriteCloser) error {
	w, pod, err := r.worker(p)
	if err != nil {
		return err
	}
	w.mu.Lock()
	sb := w.sb
	w.mu.Unlock()
	var ip net.IP
	if sb != nil {
		ip = sb.ip
	} else if pod.Status.PodIP != "" {
		ip = net.ParseIP(pod.Status.PodIP)
	}
	if ip == nil {
		return fmt.Errorf("pod %s/%s has no IP: %w", p.Namespace, p.Name, streaming.ErrNotFound)
	}
	// The pod IP is reachable from the node namespace over the bridge, and
	// the pod sees the connection from its gateway, as with the kubelet's
	// port-forward through the pod's namespace.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(int(port))))
	if err != nil {
		return err
	}
	defer conn.Close()
	errc := make(chan error, 2)
	go func() { _, err := io.Copy(conn, stream); errc <- err }()
	go func() { _, err := io.Copy(stream, conn); errc <- err }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
