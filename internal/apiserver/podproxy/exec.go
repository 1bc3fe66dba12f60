package podproxy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/proxy"
	"k8s.io/apiserver/pkg/registry/rest"
	apiserverproxy "k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// execREST serves pods/NAME/exec.
type execREST struct{ a *agents }

// attachREST serves pods/NAME/attach.
type attachREST struct{ a *agents }

var (
	_ rest.Connecter = &execREST{}
	_ rest.Connecter = &attachREST{}
)

func (r *execREST) New() runtime.Object      { return &corev1.Pod{} }
func (r *execREST) Destroy()                 {}
func (r *execREST) NamespaceScoped() bool    { return true }
func (r *execREST) ConnectMethods() []string { return []string{"GET", "POST"} }
func (r *execREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodExecOptions{}, false, ""
}

// Connect checks the pod runs the container and returns the proxy to the
// agent's exec endpoint.
func (r *execREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodExecOptions)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid options object: %#v", opts))
	}
	if len(o.Command) == 0 {
		return nil, apierrors.NewBadRequest("you must specify at least one command for the container")
	}
	return r.a.remoteCommand(ctx, name, "exec", o.Container, streams{o.Stdin, o.Stdout, o.Stderr, o.TTY}, o.Command, responder)
}

func (r *attachREST) New() runtime.Object      { return &corev1.Pod{} }
func (r *attachREST) Destroy()                 {}
func (r *attachREST) NamespaceScoped() bool    { return true }
func (r *attachREST) ConnectMethods() []string { return []string{"GET", "POST"} }
func (r *attachREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodAttachOptions{}, false, ""
}

// Connect checks the pod runs the container and returns the proxy to the
// agent's attach endpoint.
func (r *attachREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodAttachOptions)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid options object: %#v", opts))
	}
	return r.a.remoteCommand(ctx, name, "attach", o.Container, streams{o.Stdin, o.Stdout, o.Stderr, o.TTY}, nil, responder)
}

// streams are the standard streams a remote command asks for.
type streams struct {
	stdin, stdout, stderr, tty bool
}

// remoteCommand builds the handler of an exec or attach request (kind is
// the agent path's first segment): SPDY upgrades go to the agent as they
// are, websocket (v5.channel.k8s.io) ones through the translator.
func (a *agents) remoteCommand(ctx context.Context, name, kind, container string, s streams, command []string, responder rest.Responder) (http.Handler, error) {
	if !s.stdin && !s.stdout && !s.stderr {
		return nil, apierrors.NewBadRequest("you must specify at least 1 of stdin, stdout, stderr")
	}
	pod, err := a.pod(ctx, name)
	if err != nil {
		return nil, err
	}
	if container, err = resolveContainer(pod, container); err != nil {
		return nil, err
	}
	action := map[string]string{"exec": "exec into a container", "attach": "attach to a container"}[kind]
	if err := requireRunning(pod, action); err != nil {
		return nil, err
	}
	if s.tty {
		s.stderr = false // a terminal merges stderr into stdout
	}
	loc, err := a.url(ctx, pod, agentPath(kind, pod.Namespace, pod.Name, container), streamQuery(s.stdin, s.stdout, s.stderr, s.tty, command))
	if err != nil {
		return nil, err
	}
	upgrade := a.upgradeHandler(loc, responder)
	translator := &streamTranslator{location: loc, transports: a.transports, streams: s}
	return apiserverproxy.NewTranslatingHandler(upgrade, translator, wsstream.IsWebSocketRequestWithStreamCloseProtocol), nil
}

// upgradeHandler proxies an upgrade request (and its connection) to loc.
func (a *agents) upgradeHandler(loc *url.URL, responder rest.Responder) *proxy.UpgradeAwareHandler {
	h := proxy.NewUpgradeAwareHandler(loc, a.transports.authed, false, true, proxy.NewErrorResponder(responder))
	h.UpgradeTransport = a.transports.upgrade
	h.RejectForwardingRedirects = true
	return h
}
