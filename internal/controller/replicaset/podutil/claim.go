package podutil

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PatchFunc applies a JSON merge patch to the named object and returns the
// result (e.g. client.CoreV1().Pods(ns).Patch with types.MergePatchType).
type PatchFunc[T metav1.Object] func(ctx context.Context, name string, body []byte) (T, error)

// ClaimObjects carries out the claim rule for owner over objs: it releases
// owned objects that no longer match, adopts matching orphans, and returns
// the objects owner controls afterwards (adopted ones as patched).
//
// canAdopt is asked once, before the first adoption; it should confirm
// with an uncached read that owner still exists as the same object and is
// not being deleted (false skips adoption; an error fails the claim).
// Objects that vanished meanwhile are skipped; other errors are returned
// together with what could be claimed.
func ClaimObjects[T metav1.Object](ctx context.Context, owner metav1.Object, ref metav1.OwnerReference, objs []T,
	matches func(T) bool, patch PatchFunc[T], canAdopt func(context.Context) (bool, error)) ([]T, error) {
	var owned, adopt []T
	var errs []error
	for _, o := range objs {
		switch Claim(owner, o, matches(o)) {
		case Keep:
			owned = append(owned, o)
		case Adopt:
			adopt = append(adopt, o)
		case Release:
			body, err := ReleasePatch(o, owner.GetUID())
			if err == nil {
				_, err = patch(ctx, o.GetName(), body)
			}
			if err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("releasing %s: %w", o.GetName(), err))
			}
		}
	}
	if len(adopt) == 0 {
		return owned, errors.Join(errs...)
	}
	ok, err := canAdopt(ctx)
	if err != nil || !ok {
		return owned, errors.Join(append(errs, err)...)
	}
	for _, o := range adopt {
		body, err := AdoptPatch(o, ref)
		var got T
		if err == nil {
			got, err = patch(ctx, o.GetName(), body)
		}
		switch {
		case err == nil:
			owned = append(owned, got)
		case !apierrors.IsNotFound(err):
			errs = append(errs, fmt.Errorf("adopting %s: %w", o.GetName(), err))
		}
	}
	return owned, errors.Join(errs...)
}

// SameObject is a canAdopt helper: get re-reads the owner, which must have
// uid and not be terminating.
func SameObject[T metav1.Object](get func(ctx context.Context) (T, error), owner metav1.Object) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		fresh, err := get(ctx)
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return fresh.GetUID() == owner.GetUID() && fresh.GetDeletionTimestamp() == nil, nil
	}
}
