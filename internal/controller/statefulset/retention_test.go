package statefulset

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClaimOwnerRefs(t *testing.T) {
	retain, del := appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	other := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "x"}
	setRef := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "web", UID: "set-uid"}
	for _, tt := range []struct {
		whenDeleted, whenScaled appsv1.PersistentVolumeClaimRetentionPolicyType
		ordinal                 int // replicas are 2: ordinal 2 is condemned
		have                    []metav1.OwnerReference
		want                    string
	}{
		{retain, retain, 0, nil, ""},
		{retain, retain, 0, []metav1.OwnerReference{setRef, other}, "ConfigMap"},
		{retain, retain, 2, nil, ""},
		{del, retain, 0, nil, "StatefulSet"},
		{del, retain, 2, nil, "StatefulSet"},
		{retain, del, 0, nil, ""},
		{retain, del, 2, nil, "Pod"},
		{del, del, 0, nil, "StatefulSet"},
		{del, del, 2, []metav1.OwnerReference{setRef}, "Pod"},
		{del, del, 0, []metav1.OwnerReference{other, setRef}, "ConfigMap,StatefulSet"},
	} {
		set := withClaims(testSet(2), tt.whenDeleted, tt.whenScaled)
		refs := claimOwnerRefs(set, tt.have, tt.ordinal, spod(tt.ordinal, "r", "ready"))
		var kinds []string
		for _, r := range refs {
			kinds = append(kinds, r.Kind)
			if r.Controller != nil && *r.Controller {
				t.Errorf("%v: a controller reference %+v", tt, r)
			}
		}
		if got := strings.Join(kinds, ","); got != tt.want {
			t.Errorf("whenDeleted %s whenScaled %s ordinal %d: %q, want %q", tt.whenDeleted, tt.whenScaled, tt.ordinal, got, tt.want)
		}
	}
	// No policy at all is Retain/Retain.
	set := testSet(1)
	if d, s := retentionPolicy(set); d != retain || s != retain {
		t.Errorf("default policy %s/%s", d, s)
	}
}
