package satoken

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
)

// Lookup finds the UIDs of live objects; found is false when the object
// does not exist (any more).
type Lookup interface {
	ServiceAccountUID(ctx context.Context, namespace, name string) (uid types.UID, found bool, err error)
	PodUID(ctx context.Context, namespace, name string) (uid types.UID, found bool, err error)
}

// Authenticator accepts berth's service account tokens as a bearer token
// authenticator: valid, for one of Audiences, and still bound to live
// objects (a token of a deleted pod or a recreated service account stops
// working, as in Kubernetes).
type Authenticator struct {
	Issuer    Issuer
	Audiences []string
	Lookup    Lookup
	Now       func() time.Time
}

// Extra keys Kubernetes puts on bound service account users.
const (
	extraPodName = "authentication.kubernetes.io/pod-name"
	extraPodUID  = "authentication.kubernetes.io/pod-uid"
	extraTokenID = "authentication.kubernetes.io/credential-id"
)

func (a Authenticator) AuthenticateToken(ctx context.Context, token string) (*authenticator.Response, bool, error) {
	if strings.Count(token, ".") != 2 {
		return nil, false, nil // not a JWT: some other authenticator's
	}
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	c, err := a.Issuer.Verify(token, a.Audiences, now)
	if err != nil {
		return nil, false, nil // not ours, or invalid: 401 like any unknown token
	}
	k := c.Kubernetes
	uid, found, err := a.Lookup.ServiceAccountUID(ctx, k.Namespace, k.ServiceAccount.Name)
	if err != nil {
		return nil, false, err
	}
	if !found || uid != k.ServiceAccount.UID {
		return nil, false, fmt.Errorf("service account %s/%s no longer exists", k.Namespace, k.ServiceAccount.Name)
	}
	extra := map[string][]string{}
	if c.ID != "" {
		extra[extraTokenID] = []string{"JTI=" + c.ID}
	}
	if k.Pod != nil {
		uid, found, err := a.Lookup.PodUID(ctx, k.Namespace, k.Pod.Name)
		if err != nil {
			return nil, false, err
		}
		if !found || uid != k.Pod.UID {
			return nil, false, fmt.Errorf("pod %s/%s the token is bound to no longer exists", k.Namespace, k.Pod.Name)
		}
		extra[extraPodName] = []string{k.Pod.Name}
		extra[extraPodUID] = []string{string(k.Pod.UID)}
	}
	return &authenticator.Response{
		Audiences: authenticator.Audiences(c.Audience),
		User: &user.DefaultInfo{
			Name:   UserName(k.Namespace, k.ServiceAccount.Name),
			UID:    string(k.ServiceAccount.UID),
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + k.Namespace, user.AllAuthenticated},
			Extra:  extra,
		},
	}, true, nil
}
