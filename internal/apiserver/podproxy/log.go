package podproxy

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	genericrest "k8s.io/apiserver/pkg/registry/generic/rest"
	"k8s.io/apiserver/pkg/registry/rest"
)

// logREST serves GET pods/NAME/log: the agent's log stream, as text/plain.
type logREST struct{ a *agents }

var (
	_ rest.GetterWithOptions = &logREST{}
	_ rest.StorageMetadata   = &logREST{}
)

func (r *logREST) New() runtime.Object   { return &corev1.Pod{} }
func (r *logREST) Destroy()              {}
func (r *logREST) NamespaceScoped() bool { return true }

// ProducesMIMETypes and ProducesObject describe the text body in OpenAPI.
func (r *logREST) ProducesMIMETypes(verb string) []string { return []string{"text/plain"} }
func (r *logREST) ProducesObject(verb string) interface{} { return "" }

// NewGetOptions makes the PodLogOptions the query decodes into.
func (r *logREST) NewGetOptions() (runtime.Object, bool, string) {
	return &corev1.PodLogOptions{}, false, ""
}

// Get returns a streamer of the container's log from its agent; a pod not
// yet on a node has an empty log.
func (r *logREST) Get(ctx context.Context, name string, opts runtime.Object) (runtime.Object, error) {
	o, ok := opts.(*corev1.PodLogOptions)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid options object: %#v", opts))
	}
	if errs := validateLogOptions(o); len(errs) > 0 {
		return nil, apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("PodLogOptions").GroupKind(), name, errs)
	}
	pod, err := r.a.pod(ctx, name)
	if err != nil {
		return nil, err
	}
	container, err := resolveContainer(pod, o.Container)
	if err != nil {
		return nil, err
	}
	if pod.Spec.NodeName == "" {
		return &genericrest.LocationStreamer{}, nil
	}
	loc, err := r.a.url(ctx, pod, agentPath("containerLogs", pod.Namespace, pod.Name, container), logQuery(o))
	if err != nil {
		return nil, err
	}
	return &genericrest.LocationStreamer{
		Location:        loc,
		Transport:       r.a.transports.authed,
		ContentType:     "text/plain",
		Flush:           o.Follow,
		ResponseChecker: genericrest.NewGenericHttpResponseChecker(corev1.Resource("pods/log"), name),
		RedirectChecker: genericrest.PreventRedirects,
	}, nil
}
