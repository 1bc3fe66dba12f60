package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestServiceAccountToken: the TokenRequest API issues a signed token for a
// service account (client-go CreateToken and `kubectl create token`), the
// API server accepts it as system:serviceaccount:<ns>:<name>, and refuses
// it for another audience or once the service account is gone.
func TestServiceAccountToken(t *testing.T) {
	s := StartServer(t)
	admin := s.Clientset()
	ctx := context.Background()
	if _, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	exp := int64(600)
	tr, err := admin.CoreV1().ServiceAccounts("default").CreateToken(ctx, "app", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status.Token == "" || time.Until(tr.Status.ExpirationTimestamp.Time) > 601*time.Second {
		t.Fatalf("token request status %+v", tr.Status)
	}
	as := func(token string) kubernetes.Interface {
		cfg := rest.AnonymousClientConfig(s.RESTConfig())
		cfg.BearerToken = token
		return kubernetes.NewForConfigOrDie(cfg)
	}
	if _, err := as(tr.Status.Token).CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("API with the service account token: %v", err)
	}
	// kubectl create token goes through the same API
	out := strings.TrimSpace(s.Kubectl("create", "token", "app", "--duration=10m"))
	if strings.Count(out, ".") != 2 {
		t.Fatalf("kubectl create token printed %q", out)
	}
	if _, err := as(out).CoreV1().Services("default").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("API with kubectl's token: %v", err)
	}
	other, err := admin.CoreV1().ServiceAccounts("default").CreateToken(ctx, "app", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as(other.Status.Token).CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("a token for another audience: want 401, got %v", err)
	}
	if _, err := admin.CoreV1().ServiceAccounts("default").CreateToken(ctx, "ghost", &authenticationv1.TokenRequest{}, metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("token for a missing service account: want 404, got %v", err)
	}
	if err := admin.CoreV1().ServiceAccounts("default").Delete(ctx, "app", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := as(tr.Status.Token).CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("token of a deleted service account: want 401, got %v", err)
	}
}
