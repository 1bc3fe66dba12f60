package ingress

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

// backendServer answers with its name and the forwarded headers.
func backendServer(t *testing.T, name string) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "websocket" {
			c, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer c.Close()
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			rw.Flush()
			line, _ := rw.ReadString('\n') // echo one line
			rw.WriteString(name + ":" + line)
			rw.Flush()
			return
		}
		io.WriteString(w, name+" "+r.Host+" "+r.Header.Get("X-Forwarded-For")+" "+r.Header.Get("X-Forwarded-Proto")+" "+r.Header.Get("X-Forwarded-Host"))
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// deadAddr is an address nothing listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// tableWith builds a table whose Services have the given endpoint
// addresses; loopback test servers differ by port, so each gets a slice.
func tableWith(_ testing.TB, eps map[string][]string, ings ...*networkingv1.Ingress) *Table {
	in := Inputs{Ingresses: ings, Classes: []*networkingv1.IngressClass{berthClass(true)}}
	for name, addrs := range eps {
		s, _ := svc(name)
		in.Services = append(in.Services, s)
		for i, a := range addrs {
			host, port, _ := net.SplitHostPort(a)
			_, es := svc(name, host)
			es.Name = es.Name + string(rune('a'+i))
			var p int32
			for _, c := range port {
				p = p*10 + int32(c-'0')
			}
			es.Ports[0].Port = &p
			in.EndpointSlices = append(in.EndpointSlices, es)
		}
	}
	tab, _ := Build(in)
	return tab
}

func get(t *testing.T, h http.Handler, host, path string) (int, string) {
	req := httptest.NewRequest("GET", "http://"+host+path, nil)
	req.RemoteAddr = "192.0.2.7:5555"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestProxyRoutes(t *testing.T) {
	a, b := backendServer(t, "a"), backendServer(t, "b")
	p, err := NewProxy(ProxyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.SetTable(tableWith(t, map[string][]string{"app1": {a}, "app2": {b}, "empty": nil},
		ing("i", 0, "foo.com", pathSpec{"/app1", prefix, "app1"}, pathSpec{"/app2", prefix, "app2"}, pathSpec{"/empty", prefix, "empty"}, pathSpec{"/missing", prefix, "missing"})))
	cases := []struct {
		path     string
		code     int
		contains string
	}{
		{"/app1", 200, "a foo.com 192.0.2.7 http foo.com"},
		{"/app2/x", 200, "b foo.com"},
		{"/other", 404, "no Ingress rule"},
		{"/empty", 503, "no ready endpoints"},
		{"/missing", 503, "not found"},
	}
	for _, c := range cases {
		code, body := get(t, p, "foo.com", c.path)
		if code != c.code || !strings.Contains(body, c.contains) {
			t.Errorf("%s: %d %q, want %d containing %q", c.path, code, body, c.code, c.contains)
		}
	}
}

func TestProxyRetriesAnotherEndpoint(t *testing.T) {
	a := backendServer(t, "a")
	p, _ := NewProxy(ProxyOptions{})
	p.SetTable(tableWith(t, map[string][]string{"app": {a, deadAddr(t)}}, ing("i", 0, "", pathSpec{"/", prefix, "app"})))
	for i := 0; i < 6; i++ {
		if code, body := get(t, p, "x", "/"); code != 200 || !strings.HasPrefix(body, "a ") {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
}

func TestProxyRoundRobin(t *testing.T) {
	a, b := backendServer(t, "a"), backendServer(t, "b")
	p, _ := NewProxy(ProxyOptions{})
	p.SetTable(tableWith(t, map[string][]string{"app": {a, b}}, ing("i", 0, "", pathSpec{"/", prefix, "app"})))
	seen := map[string]int{}
	for i := 0; i < 10; i++ {
		_, body := get(t, p, "x", "/")
		seen[body[:1]]++
	}
	if seen["a"] != 5 || seen["b"] != 5 {
		t.Fatalf("not round-robin: %v", seen)
	}
}

func TestProxyWebSocket(t *testing.T) {
	a := backendServer(t, "a")
	p, _ := NewProxy(ProxyOptions{})
	p.SetTable(tableWith(t, map[string][]string{"ws": {a}}, ing("i", 0, "", pathSpec{"/", prefix, "ws"})))
	front := httptest.NewServer(p)
	defer front.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(front.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	io.WriteString(c, "hello\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "a:hello\n" {
		t.Fatalf("echo: %q %v", line, err)
	}
}
