package apiserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// ServerJoinPath is where another server, authenticated with the join
// token, asks to join the control plane: body {"name","peerURL"} of its
// etcd member; the answer (JoinServer's) carries what it needs to run as
// this cluster's server.
const ServerJoinPath = "/berth/v1/server-join"

// ServerJoinRequest is the body of a join.
type ServerJoinRequest struct {
	Name    string `json:"name"`
	PeerURL string `json:"peerURL"`
}

// installServerJoin serves ServerJoinPath for system:masters (the join
// token) when the server can add members.
func (s *Server) installServerJoin() {
	join := s.cfg.JoinServer
	if join == nil {
		return
	}
	s.generic.Handler.NonGoRestfulMux.HandleFunc(ServerJoinPath, joinTokenPost("server-join", func(w http.ResponseWriter, r *http.Request, fail func(*apierrors.StatusError)) {
		var req ServerJoinRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.Name == "" || req.PeerURL == "" {
			fail(apierrors.NewBadRequest(fmt.Sprintf("want {\"name\", \"peerURL\"}: %v", err)))
			return
		}
		resp, err := join(r.Context(), req)
		if err != nil {
			fail(apierrors.NewInternalError(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
}
