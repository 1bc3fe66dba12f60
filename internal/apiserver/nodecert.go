package apiserver

import (
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/berth-project/berth/internal/api/scheme"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// NodeCertificatePath is where a joining agent, authenticated with the
// join token, sends a certificate request for its node identity
// (?node=NAME, body: a PEM CERTIFICATE REQUEST) and gets back its client
// certificate (PEM) — k3s' way of handing out kubelet certificates, without
// the CertificateSigningRequest API round trip.
const NodeCertificatePath = "/berth/v1/node-certificate"

// maxCSRBytes bounds the request body: a CSR is well under a kilobyte.
const maxCSRBytes = 16 << 10

// installNodeCertificate serves NodeCertificatePath for members of
// system:masters (the join token is the server token), when the server
// can sign.
func (s *Server) installNodeCertificate() {
	sign := s.cfg.SignNodeCSR
	if sign == nil {
		return
	}
	s.generic.Handler.NonGoRestfulMux.HandleFunc(NodeCertificatePath, joinTokenPost("node-certificate", func(w http.ResponseWriter, r *http.Request, fail func(*apierrors.StatusError)) {
		node := r.URL.Query().Get("node")
		if errs := validation.IsDNS1123Subdomain(node); len(errs) > 0 {
			fail(apierrors.NewBadRequest(fmt.Sprintf("node %q: %v", node, errs)))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxCSRBytes+1))
		if err != nil || len(body) > maxCSRBytes {
			fail(apierrors.NewBadRequest("reading the certificate request failed or it is too large"))
			return
		}
		cert, err := sign(body, node)
		if err != nil {
			fail(apierrors.NewBadRequest("certificate request: " + err.Error()))
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(cert)
	}))
}

// joinTokenPost wraps the handler of a POST-only endpoint for holders of
// the join token (system:masters); fail answers with a Kubernetes Status.
func joinTokenPost(resource string, h func(w http.ResponseWriter, r *http.Request, fail func(*apierrors.StatusError))) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fail := func(err *apierrors.StatusError) {
			responsewriters.ErrorNegotiated(err, scheme.Codecs, corev1.SchemeGroupVersion, w, r)
		}
		if r.Method != http.MethodPost {
			fail(apierrors.NewMethodNotSupported(corev1.Resource(resource), r.Method))
			return
		}
		u, ok := genericapirequest.UserFrom(r.Context())
		if !ok || !slices.Contains(u.GetGroups(), user.SystemPrivilegedGroup) {
			fail(apierrors.NewForbidden(corev1.Resource(resource), "", fmt.Errorf("only the join token may use %s", resource)))
			return
		}
		h(w, r, fail)
	}
}
