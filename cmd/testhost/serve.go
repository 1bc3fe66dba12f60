package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// requestInfo is what "/" answers: enough for a test to tell which pod
// answered and what address the client had on arrival (e.g. after NAT).
type requestInfo struct {
	Hostname string              `json:"hostname"`
	PodIPs   []string            `json:"podIPs"`
	Client   string              `json:"client"`   // remote ip:port
	ClientIP string              `json:"clientIP"` // remote ip
	Method   string              `json:"method"`
	Host     string              `json:"host"`
	Path     string              `json:"path"`
	Query    string              `json:"query,omitempty"`
	Headers  map[string][]string `json:"headers"`
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	port := fs.Int("port", 80, "TCP port to listen on (all addresses)")
	drain := fs.Duration("drain", 0, "after SIGTERM keep serving this long (while load balancers learn the pod is terminating), then finish in-flight requests and exit")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 0, 0, usages["serve"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	hostname, _ := os.Hostname()
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	srv := &http.Server{Handler: newHandler(hostname, localIPs, stdout), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "serving HTTP on %s as %s\n", ln.Addr(), hostname)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, err)
		return 1
	case <-ctx.Done():
		if *drain > 0 {
			fmt.Fprintf(stdout, "terminating: serving %s more\n", *drain)
			select {
			case <-time.After(*drain):
			case err := <-errc:
				fmt.Fprintln(stderr, err)
				return 1
			}
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		fmt.Fprintln(stdout, "shutting down")
		return 0
	}
}

// newHandler serves the test endpoints; each request is logged to logw so
// tests can also check `kubectl logs`.
func newHandler(hostname string, ips func() []string, logw io.Writer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/hostname", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, hostname) })
	mux.HandleFunc("/clientip", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.RemoteAddr) })
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Query().Get("msg")) })
	mux.HandleFunc("/ws", serveWebSocket)
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 599 {
			http.Error(w, "bad status code", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		info := requestInfo{Hostname: hostname, PodIPs: ips(), Client: r.RemoteAddr, Method: r.Method,
			Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Headers: r.Header}
		info.ClientIP, _, _ = net.SplitHostPort(r.RemoteAddr)
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(info)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(logw, "%s %s from %s\n", r.Method, r.URL.RequestURI(), r.RemoteAddr)
		mux.ServeHTTP(w, r)
	})
}

// localIPs lists this host's (pod's) addresses, loopback and link-local left out.
func localIPs() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		out = append(out, ipn.IP.String())
	}
	return out
}

// udpReply is the UDP server's answer to one datagram.
func udpReply(payload []byte, hostname, client string) []byte {
	switch strings.TrimSpace(string(payload)) {
	case "hostname":
		return []byte(hostname)
	case "clientip":
		return []byte(client)
	}
	return payload
}
