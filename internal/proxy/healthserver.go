package proxy

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// healthServer serves the HealthChecks of the last sync, one HTTP listener
// per port on every address of the node (kube-proxy's service health
// server): 200 with the local endpoint count when this node has local
// endpoints, 503 otherwise, with kube-proxy's JSON body.
type healthServer struct {
	nsPath string // listen inside this namespace ("" = current)
	log    *slog.Logger

	mu      sync.Mutex
	servers map[uint16]*healthListener
}

type healthListener struct {
	srv *http.Server
	mu  sync.Mutex
	hc  HealthCheck
}

func newHealthServer(nsPath string, log *slog.Logger) *healthServer {
	return &healthServer{nsPath: nsPath, log: log, servers: map[uint16]*healthListener{}}
}

// sync opens listeners for new ports, updates the answers of existing ones
// and closes those no longer wanted. A port that cannot be opened is
// logged and tried again at the next sync.
func (h *healthServer) sync(checks []HealthCheck) {
	h.mu.Lock()
	defer h.mu.Unlock()
	want := map[uint16]bool{}
	for _, hc := range checks {
		want[hc.Port] = true
		if l := h.servers[hc.Port]; l != nil {
			l.set(hc)
			continue
		}
		l, err := h.listen(hc)
		if err != nil {
			h.log.Warn("health-check NodePort", "port", hc.Port, "service", hc.Namespace+"/"+hc.Name, "err", err)
			continue
		}
		h.servers[hc.Port] = l
	}
	for port, l := range h.servers {
		if !want[port] {
			l.srv.Close()
			delete(h.servers, port)
		}
	}
}

// close stops every listener.
func (h *healthServer) close() { h.sync(nil) }

func (h *healthServer) listen(hc HealthCheck) (*healthListener, error) {
	var ln net.Listener
	listen := func() (err error) {
		ln, err = net.Listen("tcp4", fmt.Sprintf(":%d", hc.Port))
		return err
	}
	var err error
	if h.nsPath == "" {
		err = listen()
	} else {
		err = inNetNS(h.nsPath, listen)
	}
	if err != nil {
		return nil, err
	}
	l := &healthListener{hc: hc}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 5 * time.Second}
	go l.srv.Serve(ln)
	return l, nil
}

func (l *healthListener) set(hc HealthCheck) {
	l.mu.Lock()
	l.hc = hc
	l.mu.Unlock()
}

// healthResponse is kube-proxy's body for a service health check.
type healthResponse struct {
	Service struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"service"`
	LocalEndpoints      int  `json:"localEndpoints"`
	ServiceProxyHealthy bool `json:"serviceProxyHealthy"`
}

func (l *healthListener) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	l.mu.Lock()
	hc := l.hc
	l.mu.Unlock()
	var resp healthResponse
	resp.Service.Namespace, resp.Service.Name = hc.Namespace, hc.Name
	resp.LocalEndpoints, resp.ServiceProxyHealthy = hc.LocalEndpoints, true
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if hc.LocalEndpoints == 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	json.NewEncoder(w).Encode(resp)
}
