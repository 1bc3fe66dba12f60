package streaming

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
)

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header value; the scheme is case-insensitive, as in RFC 6750.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// requireToken lets through only requests that carry the bearer token; the
// others get 401, as the kubelet answers unauthenticated requests.
func requireToken(token string, next http.Handler) http.Handler {
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			slog.Debug("streaming: rejected unauthenticated request", "path", r.URL.Path, "remote", r.RemoteAddr)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
