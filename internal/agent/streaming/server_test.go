package streaming

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	"k8s.io/client-go/util/exec"
)

const testToken = "s3cret"

// startServer runs a streaming server on loopback with rt until the test ends.
func startServer(t *testing.T, rt Runtime) *Server {
	t.Helper()
	s, err := New(Config{Address: "127.0.0.1:0", Token: testToken, LogPollInterval: time.Millisecond}, rt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

func baseURL(s *Server) string { return "https://" + s.Addr().String() }

func httpClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

func get(t *testing.T, s *Server, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", baseURL(s)+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestBearerToken(t *testing.T) {
	cases := []struct {
		header, token string
		ok            bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"  Bearer   abc  ", "abc", true},
		{"Basic abc", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		tok, ok := bearerToken(c.header)
		if tok != c.token || ok != c.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", c.header, tok, ok, c.token, c.ok)
		}
	}
}

func TestNewNeedsToken(t *testing.T) {
	if _, err := New(Config{Address: "127.0.0.1:0"}, &fakeRuntime{}); err == nil {
		t.Fatal("New without a token succeeded")
	}
}

func TestLogsOverHTTPS(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logPath, []byte(criLog), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, &fakeRuntime{logPath: logPath})
	cases := []struct {
		name, path, token string
		code              int
		body              string // the body, or for errors a part of it
	}{
		{"no token", "/containerLogs/ns/web/app", "", 401, "Unauthorized"},
		{"wrong token", "/containerLogs/ns/web/app", "nope", 401, "Unauthorized"},
		{"all", "/containerLogs/ns/web/app", testToken, 200, "one\ntwo\nthree\noops\n"},
		{"tail", "/containerLogs/ns/web/app?tailLines=1", testToken, 200, "oops\n"},
		{"limit", "/containerLogs/ns/web/app?limitBytes=5", testToken, 200, "one\nt"},
		{"timestamps", "/containerLogs/ns/web/app?tailLines=1&timestamps=true", testToken, 200, "2024-01-02T03:04:05.000000000Z oops\n"},
		{"bad option", "/containerLogs/ns/web/app?tailLines=-3", testToken, 422, "tailLines"},
		{"unknown pod", "/containerLogs/ns/other/app", testToken, 404, "not found"},
		{"previous", "/containerLogs/ns/web/app?previous=true", testToken, 400, "previous terminated container"},
		{"unknown path", "/pods", testToken, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := get(t, s, c.path, c.token)
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, body)
			}
			if code == 200 && body != c.body || code != 200 && !strings.Contains(body, c.body) {
				t.Fatalf("body %q, want %q", body, c.body)
			}
		})
	}
}

func TestLogsMissingFile(t *testing.T) {
	s := startServer(t, &fakeRuntime{logPath: filepath.Join(t.TempDir(), "gone.log")})
	if code, body := get(t, s, "/containerLogs/ns/web/app", testToken); code != 404 {
		t.Fatalf("status %d: %s", code, body)
	}
}

func TestLogsFollow(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(logPath, []byte(criLog), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	s := startServer(t, &fakeRuntime{logPath: logPath, logDone: done})
	req, _ := http.NewRequest("GET", baseURL(s)+"/containerLogs/ns/web/app?follow=true&tailLines=1", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
		t.Fatalf("content type %q", ct)
	}
	readLine := func() string {
		var line []byte
		b := make([]byte, 1)
		for {
			if _, err := resp.Body.Read(b); err != nil {
				t.Fatalf("read: %v after %q", err, line)
			}
			line = append(line, b[0])
			if b[0] == '\n' {
				return string(line)
			}
		}
	}
	if got := readLine(); got != "oops\n" {
		t.Fatalf("first line %q", got)
	}
	appendFile(t, logPath, "2024-01-02T03:04:06Z stdout F new\n")
	if got := readLine(); got != "new\n" {
		t.Fatalf("followed line %q", got)
	}
	close(done)
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Fatalf("after the container stopped: %q, %v", rest, err)
	}
}

func restConfig(s *Server, token string) *restclient.Config {
	return &restclient.Config{Host: baseURL(s), BearerToken: token, TLSClientConfig: restclient.TLSClientConfig{Insecure: true}}
}

// execURL is the URL the API server asks the agent for.
func execURL(s *Server, path string, cmd []string, stdin, tty bool) *url.URL {
	q := url.Values{"output": {"1"}}
	if !tty {
		q.Set("error", "1")
	}
	if stdin {
		q.Set("input", "1")
	}
	if tty {
		q.Set("tty", "1")
	}
	q["command"] = cmd
	u, _ := url.Parse(baseURL(s) + path + "?" + q.Encode())
	return u
}

type sizeQueue struct {
	sizes chan remotecommand.TerminalSize
}

func (q sizeQueue) Next() *remotecommand.TerminalSize {
	s, ok := <-q.sizes
	if !ok {
		return nil
	}
	return &s
}

func TestExecOverSPDY(t *testing.T) {
	s := startServer(t, &fakeRuntime{})
	cases := []struct {
		name     string
		path     string
		cmd      []string
		stdin    string
		tty      bool
		stdout   string
		stderr   string
		exitCode int    // expected exit code, 0 for none
		errText  string // expected other error text
	}{
		{name: "echo", path: "/exec/ns/web/app", cmd: []string{"echo", "hi", "there"}, stdout: "hi there\n"},
		{name: "with uid", path: "/exec/ns/web/uid-1/app", cmd: []string{"echo", "x"}, stdout: "x\n"},
		{name: "stdin", path: "/exec/ns/web/app", cmd: []string{"cat"}, stdin: "from stdin\n", stdout: "from stdin\n"},
		{name: "stderr", path: "/exec/ns/web/app", cmd: []string{"err", "bad"}, stderr: "bad\n"},
		{name: "exit code", path: "/exec/ns/web/app", cmd: []string{"exit", "3"}, exitCode: 3},
		{name: "tty resize", path: "/exec/ns/web/app", cmd: []string{"size"}, tty: true, stdout: "80x24\n"},
		{name: "unknown container", path: "/exec/ns/web/nope", cmd: []string{"echo"}, errText: "not found"},
		{name: "attach", path: "/attach/ns/web/app", stdout: "attached\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex, err := remotecommand.NewSPDYExecutor(restConfig(s, testToken), "POST", execURL(s, c.path, c.cmd, c.stdin != "", c.tty))
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			opts := remotecommand.StreamOptions{Stdout: &stdout, Tty: c.tty}
			if !c.tty {
				opts.Stderr = &stderr
			}
			if c.stdin != "" {
				opts.Stdin = strings.NewReader(c.stdin)
			}
			if c.tty {
				q := sizeQueue{make(chan remotecommand.TerminalSize, 1)}
				q.sizes <- remotecommand.TerminalSize{Width: 80, Height: 24}
				opts.TerminalSizeQueue = q
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = ex.StreamWithContext(ctx, opts)
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
			if stdout.String() != c.stdout || stderr.String() != c.stderr {
				t.Fatalf("stdout %q stderr %q, want %q %q", stdout.String(), stderr.String(), c.stdout, c.stderr)
			}
		})
	}
}

func TestExecNeedsToken(t *testing.T) {
	s := startServer(t, &fakeRuntime{})
	ex, err := remotecommand.NewSPDYExecutor(restConfig(s, "wrong"), "POST", execURL(s, "/exec/ns/web/app", []string{"echo"}, false, false))
	if err != nil {
		t.Fatal(err)
	}
	err = ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("err = %v, want Unauthorized", err)
	}
}

func TestPortForwardOverSPDY(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	rt := &fakeRuntime{forwardTo: echo.Addr().String()}
	s := startServer(t, rt)
	transport, upgrader, err := spdy.RoundTripperFor(restConfig(s, testToken))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(baseURL(s) + "/portForward/ns/web")
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	stop, ready := make(chan struct{}), make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
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
	for i := range 2 { // two connections over one forwarding session
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0].Local))
		if err != nil {
			t.Fatal(err)
		}
		msg := fmt.Sprintf("ping %d\n", i)
		if _, err := conn.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(msg))
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != msg {
			t.Fatalf("echo %q, %v", buf, err)
		}
		conn.Close()
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.ports) != 2 || rt.ports[0] != 8080 {
		t.Fatalf("ports asked of the runtime: %v", rt.ports)
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	now := time.Now()
	cert, err := selfSignedCertificate([]string{"node1"}, []net.IP{net.ParseIP("10.0.0.5")}, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if err := leaf.VerifyHostname("node1"); err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname("10.0.0.5"); err != nil {
		t.Fatal(err)
	}
	if !leaf.NotAfter.After(now.Add(300 * 24 * time.Hour)) {
		t.Fatalf("expires %v", leaf.NotAfter)
	}
}
