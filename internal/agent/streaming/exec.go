package streaming

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// serveExec serves /exec/{namespace}/{pod}[/{uid}]/{container}: an upgrade to
// SPDY or websocket streams, then the command's I/O and its exit status.
func (s *Server) serveExec(w http.ResponseWriter, r *http.Request) {
	ref := containerRef(r)
	opts, err := remotecommand.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cmd := r.URL.Query()["command"]
	if len(cmd) == 0 {
		http.Error(w, "you must specify at least one command for the container", http.StatusBadRequest)
		return
	}
	remotecommand.ServeExec(w, r, runtimeAdapter{s.rt, ref}, ref.Name, ref.UID, ref.Container, cmd, opts,
		s.cfg.StreamIdleTimeout, s.cfg.StreamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

// serveAttach serves /attach/{namespace}/{pod}[/{uid}]/{container}.
func (s *Server) serveAttach(w http.ResponseWriter, r *http.Request) {
	ref := containerRef(r)
	opts, err := remotecommand.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	remotecommand.ServeAttach(w, r, runtimeAdapter{s.rt, ref}, ref.Name, ref.UID, ref.Container, opts,
		s.cfg.StreamIdleTimeout, s.cfg.StreamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

// runtimeAdapter gives the cri-streaming library the Executor, Attacher and
// PortForwarder it calls, for the pod or container of one request.
type runtimeAdapter struct {
	rt  Runtime
	ref ContainerRef
}

func (a runtimeAdapter) ExecInContainer(ctx context.Context, _, _, _ string, cmd []string, in io.Reader, out, errw io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, _ time.Duration) error {
	return asExitError(a.rt.Exec(ctx, a.ref, cmd, in, out, errw, tty, resize))
}

func (a runtimeAdapter) AttachContainer(ctx context.Context, _, _, _ string, in io.Reader, out, errw io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize) error {
	return a.rt.Attach(ctx, a.ref, in, out, errw, tty, resize)
}

func (a runtimeAdapter) PortForward(ctx context.Context, _, _ string, port int32, stream io.ReadWriteCloser) error {
	return a.rt.PortForward(ctx, a.ref.PodRef, port, stream)
}

// asExitError turns an error carrying a positive exit code into the type the
// library reports as a NonZeroExitCode status; others pass unchanged.
func asExitError(err error) error {
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) && coded.ExitCode() > 0 {
		return utilexec.CodeExitError{Err: err, Code: coded.ExitCode()}
	}
	return err
}
