package streaming

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server is the agent's kubelet-API HTTPS server.
type Server struct {
	cfg Config
	rt  Runtime
	ln  net.Listener
	srv *http.Server
}

// New checks cfg, loads or makes the serving certificate and listens on
// cfg.Address (so a busy port is reported here, and Addr is known before
// Run). Requests are served by Run.
func New(cfg Config, rt Runtime) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if rt == nil {
		return nil, errors.New("streaming: a Runtime is required")
	}
	cert, err := servingCertificate(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, rt: rt}
	s.srv = &http.Server{
		Handler: s.Handler(),
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			// Upgrades (SPDY, websocket) need HTTP/1.1.
			NextProtos: []string{"http/1.1"},
		},
		// HTTP/2 cannot hijack connections for upgrades.
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug),
	}
	ln, err := net.Listen("tcp", cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("streaming: %w", err)
	}
	s.ln = ln
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Handler is the authenticated kubelet-API handler Run serves over TLS.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.serveLogs)
	for _, m := range []string{"GET", "POST"} {
		mux.HandleFunc(m+" /exec/{namespace}/{pod}/{container}", s.serveExec)
		mux.HandleFunc(m+" /exec/{namespace}/{pod}/{uid}/{container}", s.serveExec)
		mux.HandleFunc(m+" /attach/{namespace}/{pod}/{container}", s.serveAttach)
		mux.HandleFunc(m+" /attach/{namespace}/{pod}/{uid}/{container}", s.serveAttach)
		mux.HandleFunc(m+" /portForward/{namespace}/{pod}", s.servePortForward)
		mux.HandleFunc(m+" /portForward/{namespace}/{pod}/{uid}", s.servePortForward)
	}
	return requireToken(s.cfg.Token, mux)
}

// Run serves until ctx ends, then stops accepting and closes idle
// connections; running exec and port-forward sessions end with their
// clients.
func (s *Server) Run(ctx context.Context) error {
	slog.Info("streaming server listening", "addr", s.ln.Addr().String())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(sctx); err != nil {
			s.srv.Close()
		}
	}()
	err := s.srv.ServeTLS(s.ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		return nil
	}
	return err
}

// podRef and containerRef read the pod and container a request names.
func podRef(r *http.Request) PodRef {
	return PodRef{Namespace: r.PathValue("namespace"), Name: r.PathValue("pod"), UID: r.PathValue("uid")}
}

func containerRef(r *http.Request) ContainerRef {
	return ContainerRef{PodRef: podRef(r), Container: r.PathValue("container")}
}

// writeRuntimeError answers a Runtime failure before any stream started:
// 404 for ErrNotFound, 400 otherwise (as the kubelet answers log errors).
func writeRuntimeError(w http.ResponseWriter, err error) {
	code := http.StatusBadRequest
	if errors.Is(err, ErrNotFound) {
		code = http.StatusNotFound
	}
	http.Error(w, err.Error(), code)
}
