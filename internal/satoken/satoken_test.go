package satoken

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

type lookup struct{ sas, pods map[string]types.UID }

func (l lookup) ServiceAccountUID(_ context.Context, ns, name string) (types.UID, bool, error) {
	u, ok := l.sas[ns+"/"+name]
	return u, ok, nil
}

func (l lookup) PodUID(_ context.Context, ns, name string) (types.UID, bool, error) {
	u, ok := l.pods[ns+"/"+name]
	return u, ok, nil
}

func TestIssueAndAuthenticate(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iss := Issuer{Key: key}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := lookup{sas: map[string]types.UID{"ns/app": "sa-1"}, pods: map[string]types.UID{"ns/p": "pod-1"}}
	a := Authenticator{Issuer: iss, Audiences: []string{DefaultIssuer}, Lookup: l, Now: func() time.Time { return now.Add(time.Minute) }}
	issue := func(r Request) string {
		tok, exp, err := iss.Issue(r, now)
		if err != nil {
			t.Fatal(err)
		}
		if !exp.Equal(now.Add(r.Expiration)) {
			t.Fatalf("expiry %v", exp)
		}
		return tok
	}
	base := Request{Namespace: "ns", ServiceAccount: Ref{Name: "app", UID: "sa-1"}, Audiences: []string{DefaultIssuer}, Expiration: time.Hour, ID: "j1"}
	bound := base
	bound.Pod = &Ref{Name: "p", UID: "pod-1"}
	tests := []struct {
		name  string
		token string
		auth  Authenticator
		ok    bool
	}{
		{"valid", issue(base), a, true},
		{"bound to a live pod", issue(bound), a, true},
		{"bound to a pod recreated", issue(Request{Namespace: "ns", ServiceAccount: Ref{Name: "app", UID: "sa-1"}, Pod: &Ref{Name: "p", UID: "old"}, Audiences: []string{DefaultIssuer}, Expiration: time.Hour}), a, false},
		{"other audience", issue(Request{Namespace: "ns", ServiceAccount: Ref{Name: "app", UID: "sa-1"}, Audiences: []string{"vault"}, Expiration: time.Hour}), a, false},
		{"service account recreated", issue(Request{Namespace: "ns", ServiceAccount: Ref{Name: "app", UID: "sa-0"}, Audiences: []string{DefaultIssuer}, Expiration: time.Hour}), a, false},
		{"expired", issue(base), Authenticator{Issuer: iss, Audiences: a.Audiences, Lookup: l, Now: func() time.Time { return now.Add(2 * time.Hour) }}, false},
		{"other key", issue(base), Authenticator{Issuer: Issuer{Key: other}, Audiences: a.Audiences, Lookup: l}, false},
		{"not a JWT", "0123456789abcdef", a, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, ok, _ := tc.auth.AuthenticateToken(context.Background(), tc.token)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			u := resp.User
			if u.GetName() != "system:serviceaccount:ns:app" || u.GetUID() != "sa-1" {
				t.Fatalf("user %s uid %s", u.GetName(), u.GetUID())
			}
			want := []string{"system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated"}
			if g := u.GetGroups(); len(g) != 3 || g[0] != want[0] || g[1] != want[1] || g[2] != want[2] {
				t.Fatalf("groups %v", g)
			}
		})
	}
	c, err := iss.Verify(issue(bound), []string{DefaultIssuer}, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kubernetes.Pod == nil || c.Kubernetes.Pod.UID != "pod-1" || c.Subject != "system:serviceaccount:ns:app" || c.Issuer != DefaultIssuer {
		t.Fatalf("claims %+v", c)
	}
}
