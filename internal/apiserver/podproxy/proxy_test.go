package podproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/agent/streaming"
	"github.com/berth-project/berth/internal/api/scheme"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	"k8s.io/client-go/util/exec"
)

const agentToken = "agent-secret"

// fakeRuntime runs "echo", "cat" and "exit N" in pod ns/web, container
// app; its log is logPath; port-forward dials forwardTo.
type fakeRuntime struct {
	logPath, forwardTo string
}

func (f *fakeRuntime) ContainerLog(ctx context.Context, c streaming.ContainerRef, previous bool) (streaming.LogFile, error) {
	return streaming.LogFile{Path: f.logPath, Done: closed()}, nil
}

func closed() chan struct{} { c := make(chan struct{}); close(c); return c }

func (f *fakeRuntime) Exec(ctx context.Context, c streaming.ContainerRef, cmd []string, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	switch cmd[0] {
	case "echo":
		fmt.Fprintln(stdout, strings.Join(cmd[1:], " "))
	case "cat":
		io.Copy(stdout, stdin)
	case "stderr":
		fmt.Fprintln(stderr, strings.Join(cmd[1:], " "))
	case "exit":
		code, _ := strconv.Atoi(cmd[1])
		return streaming.ExitError{Code: code}
	default:
		return fmt.Errorf("%s: not found", cmd[0])
	}
	return nil
}

func (f *fakeRuntime) Attach(ctx context.Context, c streaming.ContainerRef, stdin io.Reader, stdout, stderr io.WriteCloser, tty bool, resize <-chan streaming.TerminalSize) error {
	_, err := fmt.Fprintln(stdout, "attached to "+c.Container)
	return err
}

func (f *fakeRuntime) PortForward(ctx context.Context, p streaming.PodRef, port int32, stream io.ReadWriteCloser) error {
	conn, err := net.Dial("tcp", f.forwardTo)
	if err != nil {
		return err
	}
	defer conn.Close()
	go io.Copy(conn, stream)
	_, err = io.Copy(stream, conn)
	return err
}

// objects serves pods (namespace from ctx) and nodes by name.
type objects map[string]runtime.Object

func (o objects) getter(kind string) GetterFunc {
	return func(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
		key := kind + "/" + genericapirequest.NamespaceValue(ctx) + "/" + name
		if obj, ok := o[key]; ok {
			return obj, nil
		}
		return nil, apierrors.NewNotFound(corev1.Resource(kind), name)
	}
}

// responder writes errors as the API server does, as a Status.
type responder struct{ w http.ResponseWriter }

func (r responder) Object(code int, obj runtime.Object) {
	r.w.WriteHeader(code)
	json.NewEncoder(r.w).Encode(obj)
}

func (r responder) Error(err error) {
	status := apierrors.APIStatus(nil)
	if !errors.As(err, &status) {
		status = apierrors.NewInternalError(err)
	}
	r.w.Header().Set("Content-Type", "application/json")
	r.w.WriteHeader(int(status.Status().Code))
	json.NewEncoder(r.w).Encode(status.Status())
}

// apiServer is a minimal stand-in for the generic handlers: it decodes the
// options with the scheme's parameter codec and calls the storage.
func apiServer(t *testing.T, storage map[string]rest.Storage) *httptest.Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// /api/v1/namespaces/{ns}/pods/{name}/{sub}
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/"), "/")
		if len(parts) != 7 {
			http.NotFound(w, req)
			return
		}
		ns, name, sub := parts[3], parts[5], parts[6]
		ctx := genericapirequest.WithNamespace(req.Context(), ns)
		st := storage["pods/"+sub]
		switch st := st.(type) {
		case rest.Connecter:
			opts, _, _ := st.NewConnectOptions()
			if err := scheme.ParameterCodec.DecodeParameters(req.URL.Query(), corev1.SchemeGroupVersion, opts); err != nil {
				responder{w}.Error(apierrors.NewBadRequest(err.Error()))
				return
			}
			handler, err := st.Connect(ctx, name, opts, responder{w})
			if err != nil {
				responder{w}.Error(err)
				return
			}
			handler.ServeHTTP(w, req.WithContext(ctx))
		case rest.GetterWithOptions:
			opts, _, _ := st.NewGetOptions()
			if err := scheme.ParameterCodec.DecodeParameters(req.URL.Query(), corev1.SchemeGroupVersion, opts); err != nil {
				responder{w}.Error(apierrors.NewBadRequest(err.Error()))
				return
			}
			obj, err := st.Get(ctx, name, opts)
			if err != nil {
				responder{w}.Error(err)
				return
			}
			in, _, ct, err := obj.(rest.ResourceStreamer).InputStream(ctx, "v1", "")
			if err != nil {
				responder{w}.Error(err)
				return
			}
			w.Header().Set("Content-Type", ct)
			if in != nil {
				defer in.Close()
				io.Copy(w, in)
			}
		default:
			http.NotFound(w, req)
		}
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// world is an agent on loopback with a fake runtime, and an API server
// stand-in whose pods ns/web (Running), ns/done (Succeeded) and ns/nowhere
// (not bound) run on node n1 pointing at the agent.
func world(t *testing.T) (*httptest.Server, objects) {
	t.Helper()
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { echo.Close() })
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	logPath := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(logPath, []byte("2024-01-02T03:04:05Z stdout F hello\n2024-01-02T03:04:06Z stderr F world\n"), 0o600)
	rt := &fakeRuntime{logPath: logPath, forwardTo: echo.Addr().String()}
	agent, err := streaming.New(streaming.Config{Address: "127.0.0.1:0", Token: agentToken}, rt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { agent.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	port := agent.Addr().(*net.TCPAddr).Port
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	pod := func(name, nodeName string, phase corev1.PodPhase) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
			Spec:   corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "app"}}},
			Status: corev1.PodStatus{Phase: phase}}
	}
	objs := objects{
		"nodes//n1":       node,
		"pods/ns/web":     pod("web", "n1", corev1.PodRunning),
		"pods/ns/done":    pod("done", "n1", corev1.PodSucceeded),
		"pods/ns/nowhere": pod("nowhere", "", corev1.PodPending),
		"pods/ns/lost":    pod("lost", "n2", corev1.PodRunning),
	}
	return apiServer(t, Storage(objs.getter("pods"), objs.getter("nodes"), agentToken)), objs
}

func TestLogsThroughProxy(t *testing.T) {
	api, _ := world(t)
	cases := []struct {
		name, query string
		pod         string
		code        int
		body        string
	}{
		{"all", "", "web", 200, "hello\nworld\n"},
		{"tail", "tailLines=1", "web", 200, "world\n"},
		{"timestamps", "tailLines=1&timestamps=true", "web", 200, "2024-01-02T03:04:06.000000000Z world\n"},
		{"follow ends with the container", "follow=true", "web", 200, "hello\nworld\n"},
		{"container named", "container=app", "web", 200, "hello\nworld\n"},
		{"unknown container", "container=db", "web", 400, "container db is not valid for pod web"},
		{"invalid options", "tailLines=-1", "web", 422, "tailLines"},
		{"unbound pod has no log", "", "nowhere", 200, ""},
		{"unknown pod", "", "ghost", 404, `pods \"ghost\" not found`},
		{"unknown node", "", "lost", 404, `nodes \"n2\" not found`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Get(api.URL + "/api/v1/namespaces/ns/pods/" + c.pod + "/log?" + c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.code, body)
			}
			if c.code == 200 && string(body) != c.body || c.code != 200 && !strings.Contains(string(body), c.body) {
				t.Fatalf("body %q, want %q", body, c.body)
			}
		})
	}
}

func TestWrongAgentToken(t *testing.T) {
	_, objs := world(t)
	api := apiServer(t, Storage(objs.getter("pods"), objs.getter("nodes"), "wrong"))
	resp, err := http.Get(api.URL + "/api/v1/namespaces/ns/pods/web/log")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("log with a wrong agent token: status %d", resp.StatusCode)
	}
	for _, kind := range execKinds {
		_, _, err := execute(t, kind, api.URL+"/api/v1/namespaces/ns/pods/web/exec?command=echo&stdout=true", nil)
		if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
			t.Fatalf("%s exec with a wrong agent token: %v", kind, err)
		}
	}
}

// execKinds are the two ways kubectl reaches exec: websocket v5 first, and
// SPDY when that fails.
var execKinds = []string{"websocket", "spdy"}

func execute(t *testing.T, kind, rawURL string, stdin io.Reader) (string, string, error) {
	t.Helper()
	cfg := &restclient.Config{Host: rawURL}
	var ex remotecommand.Executor
	var err error
	if kind == "websocket" {
		ex, err = remotecommand.NewWebSocketExecutor(cfg, "GET", rawURL)
	} else {
		u, _ := url.Parse(rawURL)
		ex, err = remotecommand.NewSPDYExecutor(cfg, "POST", u)
	}
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdin, Stdout: &stdout, Stderr: &stderr})
	return stdout.String(), stderr.String(), err
}

func TestExecThroughProxy(t *testing.T) {
	api, _ := world(t)
	base := api.URL + "/api/v1/namespaces/ns/pods/"
	cases := []struct {
		name, path     string
		stdin          string
		stdout, stderr string
		exitCode       int
		errText        string
	}{
		{name: "echo", path: "web/exec?command=echo&command=hi&stdout=true&stderr=true", stdout: "hi\n"},
		{name: "stderr", path: "web/exec?command=stderr&command=oops&stdout=true&stderr=true", stderr: "oops\n"},
		{name: "stdin", path: "web/exec?command=cat&stdin=true&stdout=true&stderr=true", stdin: "piped\n", stdout: "piped\n"},
		{name: "exit code", path: "web/exec?command=exit&command=3&stdout=true&stderr=true", exitCode: 3},
		{name: "attach", path: "web/attach?container=app&stdout=true&stderr=true", stdout: "attached to app\n"},
		{name: "completed pod", path: "done/exec?command=echo&stdout=true", errText: "cannot exec into a container in a completed pod; current phase is Succeeded"},
		{name: "unknown container", path: "web/exec?command=echo&container=db&stdout=true", errText: "container db is not valid for pod web"},
		{name: "no command", path: "web/exec?stdout=true", errText: "you must specify at least one command"},
	}
	for _, kind := range execKinds {
		for _, c := range cases {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				var stdin io.Reader
				if c.stdin != "" {
					stdin = strings.NewReader(c.stdin)
				}
				stdout, stderr, err := execute(t, kind, base+c.path, stdin)
				var exitErr exec.CodeExitError
				switch {
				case c.exitCode != 0:
					if !errors.As(err, &exitErr) || exitErr.Code != c.exitCode {
						t.Fatalf("err = %#v, want exit code %d", err, c.exitCode)
					}
				case c.errText != "":
					if err == nil || !strings.Contains(err.Error(), c.errText) {
						t.Fatalf("err = %v, want %q", err, c.errText)
					}
				case err != nil:
					t.Fatal(err)
				}
				if stdout != c.stdout || stderr != c.stderr {
					t.Fatalf("stdout %q stderr %q, want %q %q", stdout, stderr, c.stdout, c.stderr)
				}
			})
		}
	}
}

func TestPortForwardThroughProxy(t *testing.T) {
	api, _ := world(t)
	u, _ := url.Parse(api.URL + "/api/v1/namespaces/ns/pods/web/portforward")
	cfg := &restclient.Config{Host: api.URL}
	for _, kind := range []string{"websocket", "spdy"} {
		t.Run(kind, func(t *testing.T) {
			transport, upgrader, err := spdy.RoundTripperFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
			stop, ready := make(chan struct{}), make(chan struct{})
			var pf *portforward.PortForwarder
			if kind == "websocket" {
				wsDialer, err := portforward.NewSPDYOverWebsocketDialer(u, cfg)
				if err != nil {
					t.Fatal(err)
				}
				pf, err = portforward.NewOnAddresses(wsDialer, []string{"127.0.0.1"}, []string{"0:80"}, stop, ready, io.Discard, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				pf, err = portforward.NewOnAddresses(spdyDialer, []string{"127.0.0.1"}, []string{"0:80"}, stop, ready, io.Discard, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
			}
			errc := make(chan error, 1)
			go func() { errc <- pf.ForwardPorts() }()
			defer func() { close(stop); <-errc }()
			select {
			case <-ready:
			case err := <-errc:
				t.Fatal(err)
			}
			ports, err := pf.GetPorts()
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0].Local))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.Write([]byte("ping\n"))
			buf := make([]byte, 5)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping\n" {
				t.Fatalf("echo %q, %v", buf, err)
			}
		})
	}
}

func TestPortForwardRefusesCompletedPod(t *testing.T) {
	api, _ := world(t)
	resp, err := http.Post(api.URL+"/api/v1/namespaces/ns/pods/done/portforward", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "cannot forward ports in a completed pod") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
