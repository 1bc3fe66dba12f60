package streaming

import (
	"net/http"

	"k8s.io/cri-streaming/pkg/streaming/portforward"
)

// servePortForward serves /portForward/{namespace}/{pod}[/{uid}]: an upgrade
// to SPDY (or the websocket port-forward protocol, whose ports come in the
// "port" query parameter), then one PortForward call per forwarded
// connection.
func (s *Server) servePortForward(w http.ResponseWriter, r *http.Request) {
	ref := podRef(r)
	opts, err := portforward.NewV4Options(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	portforward.ServePortForward(w, r, runtimeAdapter{rt: s.rt, ref: ContainerRef{PodRef: ref}}, ref.Name, ref.UID, opts,
		s.cfg.StreamIdleTimeout, s.cfg.StreamCreationTimeout, portforward.SupportedProtocols)
}
