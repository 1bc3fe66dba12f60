package apiserver

import (
	"context"
	"fmt"
	"time"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
	"github.com/berth-project/berth/internal/satoken"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// Token lifetimes as Kubernetes bounds them: at least 10 minutes; an hour
// when the request does not say.
const (
	minTokenExpiration     = 10 * time.Minute
	defaultTokenExpiration = time.Hour
)

// objectGetters read objects from their storages for the authenticators
// and authorizers built before the storages exist; installAPIs fills them
// before the server serves.
type objectGetters struct {
	pods, serviceAccounts, persistentVolumes rest.Getter
}

func (g *objectGetters) get(ctx context.Context, store rest.Getter, namespace, name string) (runtime.Object, bool, error) {
	if store == nil {
		return nil, false, fmt.Errorf("storage not ready")
	}
	obj, err := store.Get(genericapirequest.WithNamespace(ctx, namespace), name, &metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	return obj, err == nil, err
}

// nodeOf is the node a pod is bound to (node authorizer).
func (g *objectGetters) nodeOf(ctx context.Context, namespace, name string) (string, bool, error) {
	obj, found, err := g.get(ctx, g.pods, namespace, name)
	if !found || err != nil {
		return "", found, err
	}
	return obj.(*corev1.Pod).Spec.NodeName, true, nil
}

// volumeNodeOf is the node a provisioned PV of berth's lives on, "" for
// any other volume (node authorizer).
func (g *objectGetters) volumeNodeOf(ctx context.Context, _, name string) (string, bool, error) {
	obj, found, err := g.get(ctx, g.persistentVolumes, "", name)
	if !found || err != nil {
		return "", found, err
	}
	return storageutil.ProvisionedNode(obj.(*corev1.PersistentVolume)), true, nil
}

// PodUID and ServiceAccountUID are satoken.Lookup.
func (g *objectGetters) PodUID(ctx context.Context, namespace, name string) (types.UID, bool, error) {
	obj, found, err := g.get(ctx, g.pods, namespace, name)
	if !found || err != nil {
		return "", found, err
	}
	return obj.(*corev1.Pod).UID, true, nil
}

func (g *objectGetters) ServiceAccountUID(ctx context.Context, namespace, name string) (types.UID, bool, error) {
	obj, found, err := g.get(ctx, g.serviceAccounts, namespace, name)
	if !found || err != nil {
		return "", found, err
	}
	return obj.(*corev1.ServiceAccount).UID, true, nil
}

// tokenREST serves POST serviceaccounts/NAME/token: the TokenRequest API.
type tokenREST struct {
	issuer    satoken.Issuer
	audiences []string // the API server's own, the default
	objects   *objectGetters
	now       func() time.Time
}

var (
	_               rest.NamedCreater             = &tokenREST{}
	_               rest.GroupVersionKindProvider = &tokenREST{}
	tokenRequestGVK                               = authenticationv1.SchemeGroupVersion.WithKind("TokenRequest")
)

func (r *tokenREST) New() runtime.Object   { return &authenticationv1.TokenRequest{} }
func (r *tokenREST) Destroy()              {}
func (r *tokenREST) NamespaceScoped() bool { return true }

// GroupVersionKind says the subresource speaks TokenRequest, not
// ServiceAccount.
func (r *tokenREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return tokenRequestGVK
}

func (r *tokenREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*authenticationv1.TokenRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenRequest: %T", obj))
	}
	ns, _ := genericapirequest.NamespaceFrom(ctx)
	if err := validateTokenRequest(req); err != nil {
		return nil, err
	}
	if createValidation != nil {
		if err := createValidation(ctx, req.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	saObj, found, err := r.objects.get(ctx, r.objects.serviceAccounts, ns, name)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apierrors.NewNotFound(corev1.Resource("serviceaccounts"), name)
	}
	sa := saObj.(*corev1.ServiceAccount)
	ir := satoken.Request{Namespace: ns, ServiceAccount: satoken.Ref{Name: sa.Name, UID: sa.UID},
		Audiences: req.Spec.Audiences, ID: string(uuid.NewUUID())}
	if len(ir.Audiences) == 0 {
		ir.Audiences = r.audiences
	}
	ir.Expiration = defaultTokenExpiration
	if req.Spec.ExpirationSeconds != nil {
		ir.Expiration = time.Duration(*req.Spec.ExpirationSeconds) * time.Second
	}
	if ref := req.Spec.BoundObjectRef; ref != nil {
		pod, err := r.boundPod(ctx, ns, sa.Name, ref)
		if err != nil {
			return nil, err
		}
		ir.Pod = &satoken.Ref{Name: pod.Name, UID: pod.UID}
		if pod.Spec.NodeName != "" {
			ir.Node = &satoken.Ref{Name: pod.Spec.NodeName}
		}
	}
	token, expires, err := r.issuer.Issue(ir, r.now())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	out := req.DeepCopy()
	out.Name, out.Namespace = sa.Name, ns
	out.CreationTimestamp = metav1.NewTime(r.now())
	out.Spec.Audiences = ir.Audiences
	secs := int64(ir.Expiration / time.Second)
	out.Spec.ExpirationSeconds = &secs
	out.Status = authenticationv1.TokenRequestStatus{Token: token, ExpirationTimestamp: metav1.NewTime(expires)}
	return out, nil
}

// boundPod checks the object a token is to be bound to: only pods are
// supported here (Kubernetes also binds to Secrets and Nodes); it must
// exist, have the given UID and run as this service account.
func (r *tokenREST) boundPod(ctx context.Context, ns, sa string, ref *authenticationv1.BoundObjectReference) (*corev1.Pod, error) {
	if ref.Kind != "Pod" || (ref.APIVersion != "" && ref.APIVersion != "v1") {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s %s (only v1 Pod)", ref.APIVersion, ref.Kind))
	}
	obj, found, err := r.objects.get(ctx, r.objects.pods, ns, ref.Name)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apierrors.NewNotFound(corev1.Resource("pods"), ref.Name)
	}
	pod := obj.(*corev1.Pod)
	if ref.UID != "" && ref.UID != pod.UID {
		return nil, apierrors.NewConflict(corev1.Resource("pods"), ref.Name,
			fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	podSA := pod.Spec.ServiceAccountName
	if podSA == "" {
		podSA = "default"
	}
	if podSA != sa {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", sa))
	}
	return pod, nil
}

// validateTokenRequest is Kubernetes' validation of the spec.
func validateTokenRequest(req *authenticationv1.TokenRequest) error {
	var errs field.ErrorList
	if s := req.Spec.ExpirationSeconds; s != nil {
		p := field.NewPath("spec", "expirationSeconds")
		switch {
		case time.Duration(*s)*time.Second < minTokenExpiration:
			errs = append(errs, field.Invalid(p, *s, "may not specify a duration less than 10 minutes"))
		case *s > 1<<32:
			errs = append(errs, field.TooLong(p, *s, 1<<32))
		}
	}
	if ref := req.Spec.BoundObjectRef; ref != nil && ref.Name == "" {
		errs = append(errs, field.Required(field.NewPath("spec", "boundObjectRef", "name"), ""))
	}
	if len(errs) > 0 {
		return apierrors.NewInvalid(authenticationv1.SchemeGroupVersion.WithKind("TokenRequest").GroupKind(), req.Name, errs)
	}
	return nil
}
