package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler("web-0", func() []string { return []string{"10.244.0.5"} }, &logs)
	tests := []struct {
		path     string
		code     int
		body     string
		jsonPath string
	}{
		{path: "/healthz", code: 200, body: "ok"},
		{path: "/hostname", code: 200, body: "web-0"},
		{path: "/clientip", code: 200, body: "192.0.2.1:1234"},
		{path: "/echo?msg=hi", code: 200, body: "hi"},
		{path: "/status/503", code: 503},
		{path: "/status/abc", code: 400},
		{path: "/some/path?x=1", code: 200, jsonPath: "/some/path"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("X-Test", "yes")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.code {
			t.Errorf("%s: code %d, want %d", tt.path, rec.Code, tt.code)
		}
		if tt.body != "" && rec.Body.String() != tt.body {
			t.Errorf("%s: body %q, want %q", tt.path, rec.Body.String(), tt.body)
		}
		if tt.jsonPath != "" {
			var info requestInfo
			if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
				t.Fatal(err)
			}
			if info.Hostname != "web-0" || info.Path != tt.jsonPath || info.Query != "x=1" || info.ClientIP != "192.0.2.1" ||
				info.Client != "192.0.2.1:1234" || !slices.Equal(info.PodIPs, []string{"10.244.0.5"}) || info.Headers["X-Test"][0] != "yes" {
				t.Errorf("info %+v", info)
			}
		}
	}
	if !strings.Contains(logs.String(), "GET /healthz from 192.0.2.1:1234\n") {
		t.Errorf("request log %q", logs.String())
	}
}

func TestUDPReply(t *testing.T) {
	if string(udpReply([]byte("hostname\n"), "h", "c")) != "h" || string(udpReply([]byte("clientip"), "h", "1.2.3.4:5")) != "1.2.3.4:5" ||
		string(udpReply([]byte("ping"), "h", "c")) != "ping" {
		t.Fatal("udpReply")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512": 512, "4Ki": 4096, "10Mi": 10 << 20, "1Gi": 1 << 30, "2k": 2000, "3M": 3e6} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "x", "-1", "1Ti"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	typ := fs.String("type", "A", "")
	pos, err := parseArgs(fs, []string{"name.example", "--type", "SRV", "extra"}, io.Discard)
	if err != nil || *typ != "SRV" || !slices.Equal(pos, []string{"name.example", "extra"}) {
		t.Fatalf("pos=%v type=%s err=%v", pos, *typ, err)
	}
}

func run(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestWriteRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	code, out, _ := run(t, context.Background(), "write", p, "100Ki")
	if code != 0 || !strings.HasPrefix(out, "wrote 102400 bytes sha256=") {
		t.Fatalf("write: %d %q", code, out)
	}
	digest := strings.TrimPrefix(out, "wrote 102400 bytes ")
	code, out, _ = run(t, context.Background(), "read", p)
	if code != 0 || out != "read 102400 bytes "+digest {
		t.Fatalf("read: %d %q", code, out)
	}
	run(t, context.Background(), "write", p, "30")
	if code, out, _ = run(t, context.Background(), "read", "--print", p); code != 0 || out != "abcdefghijklmnopqrstuvwxyzabcd" {
		t.Fatalf("read --print: %d %q", code, out)
	}
	if code, _, _ = run(t, context.Background(), "read", filepath.Join(t.TempDir(), "missing")); code != 1 {
		t.Fatalf("read of a missing file: %d", code)
	}
}

func TestSleepCrashAndUsage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if SIGTERM arrived
	if code, out, _ := run(t, ctx, "sleep"); code != 0 || out != "terminated\n" {
		t.Fatalf("sleep: %d %q", code, out)
	}
	if code, _, _ := run(t, context.Background(), "sleep", "10ms"); code != 0 {
		t.Fatalf("sleep 10ms: %d", code)
	}
	start := time.Now()
	if code, _, errs := run(t, context.Background(), "crash", "--after", "50ms", "--code", "42"); code != 42 || !strings.Contains(errs, "42") || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("crash: %d %q", code, errs)
	}
	if code, _, _ := run(t, context.Background(), "nope"); code != 2 {
		t.Fatal("unknown command")
	}
	if code, _, _ := run(t, context.Background()); code != 2 {
		t.Fatal("no command")
	}
	if code, _, _ := run(t, context.Background(), "get"); code != 2 {
		t.Fatal("get without URL")
	}
}

func TestGet(t *testing.T) {
	srv := httptest.NewServer(newHandler("h", func() []string { return nil }, io.Discard))
	defer srv.Close()
	if code, out, _ := run(t, context.Background(), "get", srv.URL+"/hostname"); code != 0 || out != "h" {
		t.Fatalf("get: %d %q", code, out)
	}
	if code, _, errs := run(t, context.Background(), "get", srv.URL+"/status/500"); code != 1 || !strings.Contains(errs, "500") {
		t.Fatalf("get 500: %d %q", code, errs)
	}
	if code, _, _ := run(t, context.Background(), "get", "--timeout", "1s", "http://127.0.0.1:1/"); code != 2 {
		t.Fatalf("get unreachable: %d", code)
	}
}

func TestServeAndUDPEcho(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 2)
	go func() { code, _, _ := run(t, ctx, "serve", "--port", strconv.Itoa(port)); done <- code }()
	go func() { code, _, _ := run(t, ctx, "udp-echo", "--port", strconv.Itoa(port)); done <- code }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("serve: %v", err)
	}
	resp.Body.Close()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	for i := 0; ; i++ { // the UDP server may not be listening yet
		conn.Write([]byte("clientip"))
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := conn.Read(buf)
		if err == nil {
			if string(buf[:n]) != conn.LocalAddr().String() {
				t.Fatalf("udp reply %q", buf[:n])
			}
			break
		}
		if i > 50 {
			t.Fatal(err)
		}
	}
	cancel()
	for i := 0; i < 2; i++ {
		if code := <-done; code != 0 {
			t.Fatalf("server exit code %d", code)
		}
	}
}

func freePort(t *testing.T) int {
	// A port free for both TCP and UDP.
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if u, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

func TestDNS(t *testing.T) {
	// localhost is answered from /etc/hosts by Go's resolver: no network needed.
	if code, out, errs := run(t, context.Background(), "dns", "localhost", "--type", "A"); code != 0 || !strings.Contains(out, "127.0.0.1") {
		t.Fatalf("dns localhost: %d %q %q", code, out, errs)
	}
	if code, _, _ := run(t, context.Background(), "dns", "localhost", "--type", "BOGUS"); code != 1 {
		t.Fatal("unsupported type accepted")
	}
}

func TestWebSocketEcho(t *testing.T) {
	srv := httptest.NewServer(newHandler("web-0", func() []string { return nil }, io.Discard))
	defer srv.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nearly")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake: %+v %v", resp, err)
	}
	io.WriteString(c, "-late")
	got := make([]byte, len("early-late"))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "early-late" {
		t.Fatalf("echo %q %v", got, err)
	}
}
