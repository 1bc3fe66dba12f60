package podproxy

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/berth-project/berth/internal/api/scheme"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
)

func init() {
	utilruntime.Must(AddConversions(scheme.Scheme))
}

// AddConversions registers the query-string decoders of the pod streaming
// option types (Kubernetes generates these in its internal API packages,
// which k8s.io/api does not carry).
func AddConversions(s *runtime.Scheme) error {
	for _, c := range []struct {
		out runtime.Object
		fn  func(url.Values, runtime.Object) error
	}{
		{&corev1.PodLogOptions{}, func(q url.Values, o runtime.Object) error { return DecodeLogOptions(q, o.(*corev1.PodLogOptions)) }},
		{&corev1.PodExecOptions{}, func(q url.Values, o runtime.Object) error { return DecodeExecOptions(q, o.(*corev1.PodExecOptions)) }},
		{&corev1.PodAttachOptions{}, func(q url.Values, o runtime.Object) error {
			return DecodeAttachOptions(q, o.(*corev1.PodAttachOptions))
		}},
		{&corev1.PodPortForwardOptions{}, func(q url.Values, o runtime.Object) error {
			return DecodePortForwardOptions(q, o.(*corev1.PodPortForwardOptions))
		}},
	} {
		fn := c.fn
		err := s.AddConversionFunc((*url.Values)(nil), c.out, func(a, b interface{}, _ conversion.Scope) error {
			return fn(*a.(*url.Values), b.(runtime.Object))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DecodeLogOptions reads PodLogOptions from query parameters named as its
// JSON fields. Absent parameters leave zero values.
func DecodeLogOptions(q url.Values, o *corev1.PodLogOptions) error {
	var err error
	*o = corev1.PodLogOptions{
		Container:                    q.Get("container"),
		Follow:                       queryBool(q, "follow"),
		Previous:                     queryBool(q, "previous"),
		Timestamps:                   queryBool(q, "timestamps"),
		InsecureSkipTLSVerifyBackend: queryBool(q, "insecureSkipTLSVerifyBackend"),
	}
	if o.SinceSeconds, err = queryInt64(q, "sinceSeconds"); err != nil {
		return err
	}
	if o.TailLines, err = queryInt64(q, "tailLines"); err != nil {
		return err
	}
	if o.LimitBytes, err = queryInt64(q, "limitBytes"); err != nil {
		return err
	}
	if v, ok := q["sinceTime"]; ok && len(v) > 0 {
		var t metav1.Time
		if err := t.UnmarshalQueryParameter(v[0]); err != nil {
			return fmt.Errorf("sinceTime: %w", err)
		}
		o.SinceTime = &t
	}
	if v, ok := q["stream"]; ok && len(v) > 0 {
		s := v[0]
		o.Stream = &s
	}
	return nil
}

// DecodeExecOptions reads PodExecOptions; "command" repeats, one argument each.
func DecodeExecOptions(q url.Values, o *corev1.PodExecOptions) error {
	*o = corev1.PodExecOptions{
		Stdin: queryBool(q, "stdin"), Stdout: queryBool(q, "stdout"), Stderr: queryBool(q, "stderr"),
		TTY: queryBool(q, "tty"), Container: q.Get("container"), Command: q["command"],
	}
	return nil
}

// DecodeAttachOptions reads PodAttachOptions.
func DecodeAttachOptions(q url.Values, o *corev1.PodAttachOptions) error {
	*o = corev1.PodAttachOptions{
		Stdin: queryBool(q, "stdin"), Stdout: queryBool(q, "stdout"), Stderr: queryBool(q, "stderr"),
		TTY: queryBool(q, "tty"), Container: q.Get("container"),
	}
	return nil
}

// DecodePortForwardOptions reads PodPortForwardOptions; "ports" may repeat
// and each value may be a comma-separated list.
func DecodePortForwardOptions(q url.Values, o *corev1.PodPortForwardOptions) error {
	*o = corev1.PodPortForwardOptions{}
	for _, v := range q["ports"] {
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
			if err != nil {
				return fmt.Errorf("ports: %q is not a port number", p)
			}
			o.Ports = append(o.Ports, int32(n))
		}
	}
	return nil
}

// queryBool reads a boolean as Kubernetes' parameter codec does: absent,
// "0" and "false" are false, anything else (even "") is true.
func queryBool(q url.Values, key string) bool {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return false
	}
	return v[0] != "0" && !strings.EqualFold(v[0], "false")
}

func queryInt64(q url.Values, key string) (*int64, error) {
	v, ok := q[key]
	if !ok || len(v) == 0 {
		return nil, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: %q is not an integer", key, v[0])
	}
	return &n, nil
}
