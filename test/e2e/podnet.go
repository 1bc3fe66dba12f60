package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/vishvananda/netns"
)

// The helpers here act from inside a pod's network namespace in the test
// process itself: packets leave the pod's own interface exactly as a
// program in the pod would send them, without `kubectl exec` (which needs
// the API server, and costs a process start per request), and with
// timestamps on the test's own clock.

// PodNetNS opens the network namespace of the running pod with this UID,
// found through the cgroup of one of its containers (the agent puts them
// under /berth/<node>/pod<uid>/). The handle keeps the namespace open
// until the test ends.
func PodNetNS(t testing.TB, uid string) netns.NsHandle {
	t.Helper()
	pid := podPID(uid)
	if pid == 0 {
		t.Fatalf("no process of pod %s found in the cgroups", uid)
	}
	h, err := netns.GetFromPath(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatalf("opening the network namespace of pod %s (pid %d): %v", uid, pid, err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func podPID(uid string) int {
	part := "/pod" + uid + "/"
	pids, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	for _, p := range pids {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), part) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cgroup", &pid); err == nil {
			return pid
		}
	}
	return 0
}

// InNetNS runs fn on an OS thread switched into ns and waits for it. Sockets
// fn creates (dials, listens) belong to ns and keep working from any thread
// afterwards. fn must not start goroutines that create sockets. The thread
// is thrown away afterwards (its goroutine ends while locked), so no other
// goroutine ever runs in ns by accident.
func InNetNS(ns netns.NsHandle, fn func()) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("entering network namespace: %w", err)
			return
		}
		fn()
		errc <- nil
	}()
	return <-errc
}

// HTTPResult is one HTTP exchange done by HTTPGet.
type HTTPResult struct {
	Start    time.Time
	Duration time.Duration // dial to the last byte of the body
	Local    string        // the client's address (ip:port)
	Body     string
	Err      error
}

// HTTPGet sends one HTTP/1.1 GET on a new TCP connection (so every request
// is a new connection that the proxy balances) and reads the whole
// answer. It does its socket work in the calling goroutine, so inside
// InNetNS it runs from that namespace.
func HTTPGet(addr, path string, timeout time.Duration) (r HTTPResult) {
	r.Start = time.Now()
	defer func() { r.Duration = time.Since(r.Start) }()
	d := net.Dialer{Timeout: timeout}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		r.Err = err
		return r
	}
	defer c.Close()
	r.Local = c.LocalAddr().String()
	_ = c.SetDeadline(r.Start.Add(timeout))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr); err != nil {
		r.Err = err
		return r
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		r.Err = err
		return r
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r.Body, r.Err = string(b), err
	if err == nil && resp.StatusCode != http.StatusOK {
		r.Err = fmt.Errorf("status %s", resp.Status)
	}
	return r
}

// GetIn is HTTPGet from inside ns.
func GetIn(ns netns.NsHandle, addr, path string, timeout time.Duration) HTTPResult {
	var r HTTPResult
	if err := InNetNS(ns, func() { r = HTTPGet(addr, path, timeout) }); err != nil {
		r.Err = err
	}
	return r
}

// DNSQuery asks server (ip:port) one question over proto ("udp" or
// "tcp"), with recursion desired, as dig does. Its socket work is done in
// the calling goroutine.
func DNSQuery(proto, server, name string, qtype uint16) (*mdns.Msg, error) {
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	c := &mdns.Client{Net: proto, Timeout: 3 * time.Second}
	resp, _, err := c.Exchange(m, server)
	return resp, err
}

// DNSQueryIn is DNSQuery from inside ns.
func DNSQueryIn(ns netns.NsHandle, proto, server, name string, qtype uint16) (resp *mdns.Msg, err error) {
	if e := InNetNS(ns, func() { resp, err = DNSQuery(proto, server, name, qtype) }); e != nil {
		return nil, e
	}
	return resp, err
}
