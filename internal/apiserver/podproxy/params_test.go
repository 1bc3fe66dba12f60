package podproxy

import (
	"net/url"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/api/scheme"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func ptr[T any](v T) *T { return &v }

// TestParameterCodecDecodesOptions decodes through the scheme's parameter
// codec, as the API server's handlers do.
func TestParameterCodecDecodesOptions(t *testing.T) {
	since := metav1.NewTime(time.Date(2024, 5, 1, 11, 0, 0, 0, time.UTC))
	cases := []struct {
		name    string
		query   string
		into    runtime.Object
		want    runtime.Object
		wantErr bool
	}{
		{name: "log defaults", query: "container=app", into: &corev1.PodLogOptions{},
			want: &corev1.PodLogOptions{Container: "app"}},
		{name: "log all", query: "container=app&follow=true&previous=1&timestamps=&tailLines=10&limitBytes=500&sinceSeconds=60&insecureSkipTLSVerifyBackend=true",
			into: &corev1.PodLogOptions{},
			want: &corev1.PodLogOptions{Container: "app", Follow: true, Previous: true, Timestamps: true, TailLines: ptr[int64](10),
				LimitBytes: ptr[int64](500), SinceSeconds: ptr[int64](60), InsecureSkipTLSVerifyBackend: true}},
		{name: "log sinceTime", query: "sinceTime=2024-05-01T11:00:00Z&follow=false", into: &corev1.PodLogOptions{},
			want: &corev1.PodLogOptions{SinceTime: &since}},
		{name: "log bad tail", query: "tailLines=ten", into: &corev1.PodLogOptions{}, wantErr: true},
		{name: "log bad since", query: "sinceTime=noon", into: &corev1.PodLogOptions{}, wantErr: true},
		{name: "exec", query: "command=sh&command=-c&command=echo+hi&container=app&stdin=true&stdout=true&stderr=true&tty=false",
			into: &corev1.PodExecOptions{},
			want: &corev1.PodExecOptions{Command: []string{"sh", "-c", "echo hi"}, Container: "app", Stdin: true, Stdout: true, Stderr: true}},
		{name: "attach", query: "container=app&stdout=true&tty=true", into: &corev1.PodAttachOptions{},
			want: &corev1.PodAttachOptions{Container: "app", Stdout: true, TTY: true}},
		{name: "port-forward", query: "ports=80&ports=8080,9090", into: &corev1.PodPortForwardOptions{},
			want: &corev1.PodPortForwardOptions{Ports: []int32{80, 8080, 9090}}},
		{name: "port-forward bad", query: "ports=http", into: &corev1.PodPortForwardOptions{}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			err = scheme.ParameterCodec.DecodeParameters(q, corev1.SchemeGroupVersion, c.into)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if diff := cmp.Diff(c.want, c.into); diff != "" {
				t.Fatalf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAgentQueries(t *testing.T) {
	since := metav1.NewTime(time.Date(2024, 5, 1, 11, 0, 0, 0, time.FixedZone("x", 3600)))
	cases := []struct {
		name string
		got  map[string][]string
		want string
	}{
		{"log none", logQuery(&corev1.PodLogOptions{Container: "app"}), ""},
		{"log all", logQuery(&corev1.PodLogOptions{Follow: true, Previous: true, Timestamps: true, TailLines: ptr[int64](0), LimitBytes: ptr[int64](9), SinceSeconds: ptr[int64](5)}),
			"follow=true&limitBytes=9&previous=true&sinceSeconds=5&tailLines=0&timestamps=true"},
		{"log sinceTime", logQuery(&corev1.PodLogOptions{SinceTime: &since}), "sinceTime=2024-05-01T10%3A00%3A00Z"},
		{"exec", streamQuery(true, true, false, true, []string{"sh", "-c", "x"}), "command=sh&command=-c&command=x&input=1&output=1&tty=1"},
		{"attach", streamQuery(false, true, true, false, nil), "error=1&output=1"},
		{"port-forward", portForwardQuery([]int32{80, 443}), "port=80%2C443"},
		{"port-forward none", portForwardQuery(nil), ""},
	}
	for _, c := range cases {
		if got := url.Values(c.got).Encode(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
