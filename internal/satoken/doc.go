// Package satoken issues and checks service account tokens: the signed
// JWTs of Kubernetes' TokenRequest API (serviceaccounts/NAME/token), bound
// to an audience, an expiry and optionally a pod, which pods get through
// projected volumes and present to the API server as
// system:serviceaccount:<namespace>:<name>. In the seed's picture these are
// the credentials workloads inside pods use to talk to the cluster.
//
// issuer.go signs and verifies (ES256 with the key in
// <data-dir>/tls/sa.key); authenticator.go turns a valid token whose
// service account (and pod) still exist into a user.
package satoken
