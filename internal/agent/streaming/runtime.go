package streaming

import (
	"context"
	"errors"
	"fmt"
	"io"

	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
)

// TerminalSize is a TTY's size, as sent by a client resizing its terminal.
type TerminalSize = remotecommand.TerminalSize

// PodRef names a pod on this node. UID is empty when the caller did not
// give one in the URL.
type PodRef struct {
	Namespace, Name, UID string
}

// ContainerRef names a container of a pod on this node.
type ContainerRef struct {
	PodRef
	Container string
}

// LogFile is where a container's CRI-format log is.
type LogFile struct {
	// Path is the log file ("<RFC3339Nano> stdout|stderr F|P <text>" lines).
	Path string
	// Done, if not nil, is closed once the container stopped and nothing more
	// will be written to Path; a follow request then ends after reading what
	// is left. With a nil Done a follow request lasts until the client leaves.
	Done <-chan struct{}
}

// ErrNotFound is returned (possibly wrapped) by a Runtime when the pod or
// container does not exist on this node; the server answers 404.
var ErrNotFound = errors.New("not found")

// ExitError is what Exec returns when the command ran and exited non-zero;
// clients see it as a Status with reason NonZeroExitCode and the code
// (kubectl exits with it). Any error with an `ExitCode() int` method that
// returns a value > 0 (such as *exec.ExitError) is treated the same way.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
func (e ExitError) ExitCode() int { return e.Code }

// Runtime is what the streaming server needs of the node's container
// runtime. Methods are called concurrently, once per request; errors wrapping
// ErrNotFound mean the pod or container does not exist here.
type Runtime interface {
	// ContainerLog locates the log of the container's current instance, or
	// of the previous (last terminated) one when previous is true.
	ContainerLog(ctx context.Context, c ContainerRef, previous bool) (LogFile, error)

	// Exec runs cmd in the container and returns when it exits, with an
	// ExitError for a non-zero exit status. stdin, stdout and stderr are nil
	// when the client did not ask for them (stderr is always nil with a
	// TTY); stdin reaches EOF when the client closes it. With tty, resize
	// delivers terminal sizes until it is closed. ctx ends when the request
	// handler returns, not when the client goes away: a gone client shows as
	// write errors on stdout/stderr.
	Exec(ctx context.Context, c ContainerRef, cmd []string, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan TerminalSize) error

	// Attach connects the streams to the container's main process, as Exec
	// does for a new one, and returns when the client detaches or the
	// process exits.
	Attach(ctx context.Context, c ContainerRef, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan TerminalSize) error

	// PortForward connects stream to the TCP port inside the pod's network
	// namespace (as if dialling localhost:port there), copies both ways and
	// returns when either side is done. It must not close stream's reads
	// early: the caller closes stream after PortForward returns.
	PortForward(ctx context.Context, p PodRef, port int32, stream io.ReadWriteCloser) error
}
