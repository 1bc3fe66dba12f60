package apiserver

import (
	"context"
	"testing"
	"time"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"github.com/berth-project/berth/internal/satoken"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// mapGetter is a rest.Getter over namespace/name → object.
type mapGetter map[string]runtime.Object

func (m mapGetter) Get(ctx context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	if o, ok := m[ns+"/"+name]; ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("x"), name)
}

func typesUID(s string) types.UID { return types.UID(s) }

func TestTokenRequest(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	objs := &objectGetters{
		serviceAccounts: mapGetter{"ns/app": &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "ns", UID: "sa-1"}}},
		pods: mapGetter{
			"ns/p":     &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "pod-1"}, Spec: corev1.PodSpec{ServiceAccountName: "app", NodeName: "n1"}},
			"ns/other": &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "ns", UID: "pod-2"}},
		},
	}
	now := time.Now()
	r := &tokenREST{issuer: satoken.Issuer{Key: key}, audiences: []string{satoken.DefaultIssuer}, objects: objs, now: func() time.Time { return now }}
	ctx := genericapirequest.WithNamespace(context.Background(), "ns")
	secs := func(v int64) *int64 { return &v }
	podRef := func(name, uid string) *authenticationv1.BoundObjectReference {
		return &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: name, UID: typesUID(uid)}
	}
	tests := []struct {
		name   string
		sa     string
		spec   authenticationv1.TokenRequestSpec
		status int32 // 0: success
	}{
		{"defaults", "app", authenticationv1.TokenRequestSpec{}, 0},
		{"bound to its pod", "app", authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}, ExpirationSeconds: secs(600), BoundObjectRef: podRef("p", "pod-1")}, 0},
		{"no such service account", "ghost", authenticationv1.TokenRequestSpec{}, 404},
		{"too short", "app", authenticationv1.TokenRequestSpec{ExpirationSeconds: secs(599)}, 422},
		{"pod UID mismatch", "app", authenticationv1.TokenRequestSpec{BoundObjectRef: podRef("p", "old")}, 409},
		{"pod of another service account", "app", authenticationv1.TokenRequestSpec{BoundObjectRef: podRef("other", "")}, 400},
		{"no such pod", "app", authenticationv1.TokenRequestSpec{BoundObjectRef: podRef("gone", "")}, 404},
		{"secret binding unsupported", "app", authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Secret", APIVersion: "v1", Name: "s"}}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Create(ctx, tc.sa, &authenticationv1.TokenRequest{Spec: tc.spec}, nil, &metav1.CreateOptions{})
			if tc.status != 0 {
				if s, ok := err.(apierrors.APIStatus); !ok || s.Status().Code != tc.status {
					t.Fatalf("err %v, want status %d", err, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr := out.(*authenticationv1.TokenRequest)
			c, err := r.issuer.Verify(tr.Status.Token, tr.Spec.Audiences, now)
			if err != nil {
				t.Fatal(err)
			}
			wantExp := int64(3600)
			if tc.spec.ExpirationSeconds != nil {
				wantExp = *tc.spec.ExpirationSeconds
			}
			if *tr.Spec.ExpirationSeconds != wantExp || !tr.Status.ExpirationTimestamp.Time.Equal(now.Truncate(time.Second).Add(time.Duration(wantExp)*time.Second)) {
				t.Fatalf("expiration %d %v", *tr.Spec.ExpirationSeconds, tr.Status.ExpirationTimestamp)
			}
			if tc.spec.BoundObjectRef != nil && (c.Kubernetes.Pod == nil || c.Kubernetes.Pod.UID != "pod-1" || c.Kubernetes.Node == nil || c.Kubernetes.Node.Name != "n1") {
				t.Fatalf("bound claims %+v", c.Kubernetes)
			}
			if len(tc.spec.Audiences) == 0 && tr.Spec.Audiences[0] != satoken.DefaultIssuer {
				t.Fatalf("default audience %v", tr.Spec.Audiences)
			}
		})
	}
}
