package podproxy

import (
	"context"
	"fmt"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// PodGetter reads a pod by name; the namespace comes from ctx, as with the
// generic registry store of pods (which satisfies it).
type PodGetter interface {
	Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error)
}

// NodeGetter reads a Node by name; the generic registry store of nodes
// satisfies it.
type NodeGetter interface {
	Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error)
}

// GetterFunc adapts a function to PodGetter and NodeGetter (for example to
// look a store up lazily).
type GetterFunc func(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error)

// Get calls f.
func (f GetterFunc) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return f(ctx, name, options)
}

// Storage returns the REST storage of the pod streaming subresources, keyed
// "pods/log", "pods/exec", "pods/attach" and "pods/portforward", reaching
// agents with agentToken as their bearer token.
func Storage(pods PodGetter, nodes NodeGetter, agentToken string) map[string]rest.Storage {
	a := &agents{pods: pods, nodes: nodes, transports: newAgentTransports(agentToken)}
	return map[string]rest.Storage{
		"pods/log":         &logREST{a},
		"pods/exec":        &execREST{a},
		"pods/attach":      &attachREST{a},
		"pods/portforward": &portForwardREST{a},
	}
}

// agents finds pods' agents and talks to them.
type agents struct {
	pods       PodGetter
	nodes      NodeGetter
	transports agentTransports
}

// pod reads the pod of a request.
func (a *agents) pod(ctx context.Context, name string) (*corev1.Pod, error) {
	obj, err := a.pods.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("unexpected object %T for pod %s", obj, name))
	}
	return pod, nil
}

// url is the agent URL of path on the pod's node. The pod must be bound.
func (a *agents) url(ctx context.Context, pod *corev1.Pod, path string, query url.Values) (*url.URL, error) {
	if pod.Spec.NodeName == "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	// Nodes are cluster-scoped: drop the request's namespace.
	obj, err := a.nodes.Get(genericapirequest.WithNamespace(ctx, ""), pod.Spec.NodeName, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	node, ok := obj.(*corev1.Node)
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("unexpected object %T for node %s", obj, pod.Spec.NodeName))
	}
	hostPort, err := AgentHostPort(node)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "https", Host: hostPort, Path: path, RawQuery: query.Encode()}, nil
}

// agentPath joins path segments, escaping each.
func agentPath(segments ...string) string {
	p := ""
	for _, s := range segments {
		p += "/" + url.PathEscape(s)
	}
	return p
}
