package podproxy

import (
	"context"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
	apiserverproxy "k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// portForwardREST serves pods/NAME/portforward.
type portForwardREST struct{ a *agents }

var _ rest.Connecter = &portForwardREST{}

func (r *portForwardREST) New() runtime.Object      { return &corev1.Pod{} }
func (r *portForwardREST) Destroy()                 {}
func (r *portForwardREST) NamespaceScoped() bool    { return true }
func (r *portForwardREST) ConnectMethods() []string { return []string{"GET", "POST"} }
func (r *portForwardREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodPortForwardOptions{}, false, ""
}

// Connect returns the proxy to the agent's portForward endpoint: SPDY as it
// is; SPDY tunnelled in websocket (SPDY/3.1+portforward.k8s.io) unwrapped
// towards the agent, as kube-apiserver does.
func (r *portForwardREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodPortForwardOptions)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid options object: %#v", opts))
	}
	pod, err := r.a.pod(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := requireRunning(pod, "forward ports"); err != nil {
		return nil, err
	}
	loc, err := r.a.url(ctx, pod, agentPath("portForward", pod.Namespace, pod.Name), portForwardQuery(o.Ports))
	if err != nil {
		return nil, err
	}
	upgrade := r.a.upgradeHandler(loc, responder)
	return apiserverproxy.NewTranslatingHandler(upgrade, apiserverproxy.NewTunnelingHandler(upgrade), wsstream.IsWebSocketRequestWithTunnelingProtocol), nil
}
