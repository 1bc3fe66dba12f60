package garbagecollector

import (
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestRemoveOwnerRefs(t *testing.T) {
	a, b, c := ownerRef("a", true), ownerRef("b", false), ownerRef("c", true)
	tests := []struct {
		name        string
		refs        []metav1.OwnerReference
		uids        []types.UID
		want        []metav1.OwnerReference
		wantChanged bool
	}{
		{"remove one", []metav1.OwnerReference{a, b, c}, []types.UID{"b"}, []metav1.OwnerReference{a, c}, true},
		{"remove several", []metav1.OwnerReference{a, b, c}, []types.UID{"a", "c"}, []metav1.OwnerReference{b}, true},
		{"remove all", []metav1.OwnerReference{a}, []types.UID{"a"}, []metav1.OwnerReference{}, true},
		{"nothing matches", []metav1.OwnerReference{a}, []types.UID{"z"}, []metav1.OwnerReference{a}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := removeOwnerRefs(tt.refs, tt.uids)
			if !reflect.DeepEqual(got, tt.want) || changed != tt.wantChanged {
				t.Errorf("got (%v, %v), want (%v, %v)", got, changed, tt.want, tt.wantChanged)
			}
		})
	}
}

func TestUnblockOwnerRefs(t *testing.T) {
	refs := []metav1.OwnerReference{ownerRef("a", true), ownerRef("b", false), {UID: "c"}}
	got, changed := unblockOwnerRefs(refs)
	if !changed {
		t.Fatal("expected a change")
	}
	for _, r := range got {
		if r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			t.Errorf("%s still blocks", r.UID)
		}
	}
	if !*refs[0].BlockOwnerDeletion {
		t.Error("input was mutated")
	}
	if _, changed := unblockOwnerRefs(got); changed {
		t.Error("second unblock should be a no-op")
	}
}

func TestWithoutFinalizer(t *testing.T) {
	tests := []struct {
		in          []string
		name        string
		want        []string
		wantChanged bool
	}{
		{[]string{"orphan", "x"}, "orphan", []string{"x"}, true},
		{[]string{"foregroundDeletion"}, "foregroundDeletion", []string{}, true},
		{[]string{"x"}, "orphan", []string{"x"}, false},
		{nil, "orphan", []string{}, false},
	}
	for _, tt := range tests {
		got, changed := withoutFinalizer(tt.in, tt.name)
		if !reflect.DeepEqual(got, tt.want) || changed != tt.wantChanged {
			t.Errorf("withoutFinalizer(%v, %q) = (%v, %v), want (%v, %v)", tt.in, tt.name, got, changed, tt.want, tt.wantChanged)
		}
	}
}

func TestPatches(t *testing.T) {
	decode := func(t *testing.T, data []byte) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m["metadata"].(map[string]any)
	}

	t.Run("owner references with preconditions", func(t *testing.T) {
		data, err := ownerRefsPatch("u1", "42", []metav1.OwnerReference{ownerRef("a", true)})
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, data)
		if m["uid"] != "u1" || m["resourceVersion"] != "42" {
			t.Errorf("preconditions missing: %s", data)
		}
		refs := m["ownerReferences"].([]any)
		if len(refs) != 1 || refs[0].(map[string]any)["uid"] != "a" {
			t.Errorf("ownerReferences wrong: %s", data)
		}
	})
	t.Run("empty owner references become null", func(t *testing.T) {
		data, _ := ownerRefsPatch("u1", "42", nil)
		m := decode(t, data)
		v, present := m["ownerReferences"]
		if !present || v != nil {
			t.Errorf("want explicit null, got %s", data)
		}
	})
	t.Run("finalizers", func(t *testing.T) {
		data, _ := finalizersPatch("u1", "7", []string{"x"})
		m := decode(t, data)
		if !reflect.DeepEqual(m["finalizers"], []any{"x"}) || m["resourceVersion"] != "7" {
			t.Errorf("got %s", data)
		}
		data, _ = finalizersPatch("u1", "", nil)
		m = decode(t, data)
		if _, has := m["resourceVersion"]; has {
			t.Errorf("empty resourceVersion must be left out: %s", data)
		}
		if v, present := m["finalizers"]; !present || v != nil {
			t.Errorf("want explicit null finalizers, got %s", data)
		}
	})
}
