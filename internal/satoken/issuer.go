package satoken

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"k8s.io/apimachinery/pkg/types"
)

// DefaultIssuer is the "iss" of berth's tokens, Kubernetes' default
// --service-account-issuer; it is also the default audience (the API
// server's own).
const DefaultIssuer = "https://kubernetes.default.svc.cluster.local"

// Ref names an object a token is bound to.
type Ref struct {
	Name string    `json:"name"`
	UID  types.UID `json:"uid"`
}

// PrivateClaims are Kubernetes' "kubernetes.io" claim.
type PrivateClaims struct {
	Namespace      string `json:"namespace"`
	ServiceAccount Ref    `json:"serviceaccount"`
	Pod            *Ref   `json:"pod,omitempty"`
	Node           *Ref   `json:"node,omitempty"`
}

// Claims are a token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Kubernetes PrivateClaims `json:"kubernetes.io"`
}

// Issuer signs and verifies tokens with one key.
type Issuer struct {
	Key    *ecdsa.PrivateKey
	Issuer string // default DefaultIssuer
}

func (i Issuer) iss() string {
	if i.Issuer == "" {
		return DefaultIssuer
	}
	return i.Issuer
}

// Request is what a token is issued for.
type Request struct {
	Namespace      string
	ServiceAccount Ref
	Pod            *Ref
	Node           *Ref
	Audiences      []string
	Expiration     time.Duration
	ID             string // jti
}

// Issue signs a token for r at now.
func (i Issuer) Issue(r Request, now time.Time) (token string, expires time.Time, err error) {
	if i.Key == nil {
		return "", time.Time{}, errors.New("no signing key")
	}
	now = now.Truncate(time.Second)
	expires = now.Add(r.Expiration)
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.iss(),
			Subject:   UserName(r.Namespace, r.ServiceAccount.Name),
			Audience:  r.Audiences,
			ExpiresAt: jwt.NewNumericDate(expires),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ID:        r.ID,
		},
		Kubernetes: PrivateClaims{Namespace: r.Namespace, ServiceAccount: r.ServiceAccount, Pod: r.Pod, Node: r.Node},
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(i.Key)
	return token, expires, err
}

// Verify checks a token's signature, issuer, times and that it is meant
// for one of audiences; it returns its claims.
func (i Issuer) Verify(token string, audiences []string, now time.Time) (*Claims, error) {
	if i.Key == nil {
		return nil, errors.New("no verification key")
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		return &i.Key.PublicKey, nil
	}, jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}), jwt.WithIssuer(i.iss()),
		jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithExpirationRequired())
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(audiences, a) }) {
		return nil, fmt.Errorf("token audiences %v are not this server's %v", []string(c.Audience), audiences)
	}
	if c.Kubernetes.Namespace == "" || c.Kubernetes.ServiceAccount.Name == "" ||
		c.Subject != UserName(c.Kubernetes.Namespace, c.Kubernetes.ServiceAccount.Name) {
		return nil, errors.New("token does not name a service account")
	}
	return &c, nil
}

// UserName is a service account's user name.
func UserName(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}
