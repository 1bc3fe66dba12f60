package ingress

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Listen opens the proxy's plain HTTP and HTTPS listeners on addr ("" for
// all addresses); a port of 0 leaves that listener out. Serving starts with
// Serve, so ports are taken (or the error reported) before.
func Listen(addr string, httpPort, httpsPort int) (plain, secure net.Listener, err error) {
	if httpPort > 0 {
		if plain, err = net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(httpPort))); err != nil {
			return nil, nil, err
		}
	}
	if httpsPort > 0 {
		if secure, err = net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(httpsPort))); err != nil {
			if plain != nil {
				plain.Close()
			}
			return nil, nil, err
		}
	}
	return plain, secure, nil
}

// Serve answers on the listeners (either may be nil) until ctx ends, then
// lets in-flight requests finish for up to drain.
func (p *Proxy) Serve(ctx context.Context, plain, secure net.Listener, drain time.Duration) error {
	var servers []*http.Server
	errc := make(chan error, 2)
	start := func(ln net.Listener, tlsConfig *tls.Config) {
		srv := &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsConfig}
		servers = append(servers, srv)
		go func() {
			var err error
			if tlsConfig != nil {
				err = srv.ServeTLS(ln, "", "")
			} else {
				err = srv.Serve(ln)
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	if plain != nil {
		start(plain, nil)
		p.log.Info("ingress proxy serving HTTP", "address", plain.Addr().String())
	}
	if secure != nil {
		start(secure, p.TLSConfig())
		p.log.Info("ingress proxy serving HTTPS", "address", secure.Addr().String())
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(sctx)
	}
	return err
}
