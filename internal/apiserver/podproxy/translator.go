package podproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	constants "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/client-go/tools/remotecommand"
	clientspdy "k8s.io/client-go/transport/spdy"
	"k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// Timeouts of the websocket side of a translated stream (the kubelet's and
// kube-apiserver's values).
const (
	websocketIdleTimeout = 4 * time.Hour
	statusWriteTimeout   = 10 * time.Second
)

// streamTranslator serves an exec or attach websocket request
// (v5.channel.k8s.io) by running it as a SPDY client against the agent, as
// kube-apiserver's StreamTranslatorHandler does. It exists because that
// handler's SPDY client cannot add the agent's bearer token to its request.
type streamTranslator struct {
	location   *url.URL
	transports agentTransports
	streams    streams
}

func (t *streamTranslator) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ws, err := openWebsocket(w, req, t.streams)
	if err != nil {
		slog.Debug("podproxy: websocket upgrade failed", "err", err)
		return // the websocket library answered the client
	}
	defer ws.close()

	rt, err := spdy.NewRoundTripperWithConfig(spdy.RoundTripperConfig{UpgradeTransport: t.transports.base, PingPeriod: 5 * time.Second})
	if err != nil {
		ws.writeStatus(apierrors.NewInternalError(err))
		return
	}
	executor, err := remotecommand.NewSPDYExecutorRejectRedirects(t.transports.withToken(rt), clientspdy.NewUpgraderForStreaming(rt), "POST", t.location)
	if err != nil {
		ws.writeStatus(apierrors.NewInternalError(err))
		return
	}
	opts := remotecommand.StreamOptions{Tty: t.streams.tty}
	if t.streams.stdin {
		opts.Stdin = ws.stdin
	}
	if t.streams.stdout {
		opts.Stdout = ws.stdout
	}
	if t.streams.stderr {
		opts.Stderr = ws.stderr
	}
	if t.streams.tty {
		opts.TerminalSizeQueue = sizeQueue(ws.resize)
	}
	ws.writeStatus(statusOf(executor.StreamWithContext(req.Context(), opts)))
}

// statusOf is the Status a websocket client gets for how the command ended.
func statusOf(err error) *apierrors.StatusError {
	var statusErr *apierrors.StatusError
	var exitErr exec.CodeExitError
	switch {
	case err == nil:
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusSuccess}}
	case errors.As(err, &statusErr):
		return statusErr
	case errors.As(err, &exitErr) && exitErr.Exited():
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure,
			Reason: constants.NonZeroExitCodeReason,
			Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{
				{Type: constants.ExitCodeCauseType, Message: fmt.Sprintf("%d", exitErr.ExitStatus())},
			}},
			Message: fmt.Sprintf("command terminated with non-zero exit code: %v", exitErr),
		}}
	default:
		return apierrors.NewInternalError(err)
	}
}

// websocketStreams is the server side of a v5.channel.k8s.io connection.
type websocketStreams struct {
	conn           *wsstream.Conn
	stdin          io.Reader
	stdout, stderr io.Writer
	status         io.Writer
	resize         chan remotecommand.TerminalSize
}

// openWebsocket upgrades the request and opens the channels: 0 stdin, 1
// stdout, 2 stderr (those asked for), 3 status, 4 resize.
func openWebsocket(w http.ResponseWriter, req *http.Request, s streams) (*websocketStreams, error) {
	ignoreUnless := func(want bool, t wsstream.ChannelType) wsstream.ChannelType {
		if want {
			return t
		}
		return wsstream.IgnoreChannel
	}
	channels := []wsstream.ChannelType{
		constants.StreamStdIn:  ignoreUnless(s.stdin, wsstream.ReadChannel),
		constants.StreamStdOut: ignoreUnless(s.stdout, wsstream.WriteChannel),
		constants.StreamStdErr: ignoreUnless(s.stderr, wsstream.WriteChannel),
		constants.StreamErr:    wsstream.WriteChannel,
		constants.StreamResize: wsstream.ReadChannel,
	}
	conn := wsstream.NewConn(map[string]wsstream.ChannelProtocolConfig{
		constants.StreamProtocolV5Name: {Binary: true, Channels: channels},
	})
	conn.SetIdleTimeout(websocketIdleTimeout)
	_, chans, err := conn.Open(w, req)
	if err != nil {
		return nil, err
	}
	// An empty message on the lowest writable channel tells the client the
	// connection is up.
	first := constants.StreamErr
	if s.stdout {
		first = constants.StreamStdOut
	} else if s.stderr {
		first = constants.StreamStdErr
	}
	if _, err := chans[first].Write(nil); err != nil {
		conn.Close()
		return nil, err
	}
	ws := &websocketStreams{conn: conn, stdin: chans[constants.StreamStdIn], stdout: chans[constants.StreamStdOut],
		stderr: chans[constants.StreamStdErr], status: chans[constants.StreamErr]}
	if s.tty {
		ws.resize = make(chan remotecommand.TerminalSize)
		go readResizes(req.Context(), chans[constants.StreamResize], ws.resize)
	}
	return ws, nil
}

// writeStatus sends the final Status on the status channel.
func (ws *websocketStreams) writeStatus(status *apierrors.StatusError) {
	data, err := json.Marshal(status.Status())
	if err != nil {
		return
	}
	ws.conn.SetWriteDeadline(statusWriteTimeout)
	if _, err := ws.status.Write(data); err != nil {
		slog.Debug("podproxy: writing exec status", "err", err)
	}
}

func (ws *websocketStreams) close() { ws.conn.Close() }

// readResizes decodes the JSON terminal sizes the client sends, until the
// channel or the request ends.
func readResizes(ctx context.Context, r io.Reader, out chan<- remotecommand.TerminalSize) {
	defer close(out)
	dec := json.NewDecoder(r)
	for {
		var size remotecommand.TerminalSize
		if err := dec.Decode(&size); err != nil {
			return
		}
		select {
		case out <- size:
		case <-ctx.Done():
			return
		}
	}
}

// sizeQueue hands the resizes to the SPDY client.
type sizeQueue chan remotecommand.TerminalSize

func (q sizeQueue) Next() *remotecommand.TerminalSize {
	size, ok := <-q
	if !ok {
		return nil
	}
	return &size
}
