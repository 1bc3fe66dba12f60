package garbagecollector

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

func ownerRef(uid string, block bool) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs-" + uid, UID: types.UID(uid), BlockOwnerDeletion: &block}
}

func TestLiveOwnerState(t *testing.T) {
	now := metav1.Now()
	ref := ownerRef("a", true)
	live := func(uid string, deleting bool, fins ...string) *metav1.PartialObjectMetadata {
		m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Finalizers: fins}}
		if deleting {
			m.DeletionTimestamp = &now
		}
		return m
	}
	tests := []struct {
		name string
		live *metav1.PartialObjectMetadata
		want ownerState
	}{
		{"not found", nil, ownerDangling},
		{"name reused by another object", live("b", false), ownerDangling},
		{"exists", live("a", false), ownerSolid},
		{"deleting in background", live("a", true), ownerSolid},
		{"deleting with orphan finalizer", live("a", true, metav1.FinalizerOrphanDependents), ownerSolid},
		{"deleting in foreground", live("a", true, metav1.FinalizerDeleteDependents), ownerWaiting},
		{"foreground finalizer without deletionTimestamp", live("a", false, metav1.FinalizerDeleteDependents), ownerSolid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := liveOwnerState(ref, tt.live); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOwnerLookupNamespace(t *testing.T) {
	nsRes := Resource{GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}, Kind: "ReplicaSet", Namespaced: true}
	clRes := Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, Kind: "Node"}
	tests := []struct {
		name   string
		owner  Resource
		depNS  string
		wantNS string
		wantOK bool
	}{
		{"namespaced owner, namespaced dependent", nsRes, "team", "team", true},
		{"cluster owner, namespaced dependent", clRes, "team", "", true},
		{"cluster owner, cluster dependent", clRes, "", "", true},
		{"namespaced owner, cluster dependent is unresolvable", nsRes, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, ok := ownerLookupNamespace(tt.owner, tt.depNS)
			if ns != tt.wantNS || ok != tt.wantOK {
				t.Errorf("got (%q, %v), want (%q, %v)", ns, ok, tt.wantNS, tt.wantOK)
			}
		})
	}
}

func TestDecideDependent(t *testing.T) {
	a, b := ownerRef("a", true), ownerRef("b", false)
	tests := []struct {
		name string
		in   dependentInput
		want dependentAction
	}{
		{
			name: "no owners",
			in:   dependentInput{},
			want: dependentAction{Kind: actNone},
		},
		{
			name: "all owners solid",
			in:   dependentInput{Owners: []metav1.OwnerReference{a, b}, States: map[types.UID]ownerState{}},
			want: dependentAction{Kind: actNone},
		},
		{
			name: "sole owner gone: background delete",
			in:   dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerDangling}},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationBackground},
		},
		{
			name: "all owners gone: delete",
			in: dependentInput{Owners: []metav1.OwnerReference{a, b},
				States: map[types.UID]ownerState{"a": ownerDangling, "b": ownerDangling}},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationBackground},
		},
		{
			name: "one of two owners gone: strip the dangling reference",
			in: dependentInput{Owners: []metav1.OwnerReference{a, b},
				States: map[types.UID]ownerState{"a": ownerDangling}},
			want: dependentAction{Kind: actRemoveRefs, RemoveUIDs: []types.UID{"a"}},
		},
		{
			name: "solid owner and foreground-deleting owner: stop blocking it",
			in: dependentInput{Owners: []metav1.OwnerReference{a, b},
				States: map[types.UID]ownerState{"b": ownerWaiting}},
			want: dependentAction{Kind: actRemoveRefs, RemoveUIDs: []types.UID{"b"}},
		},
		{
			name: "owner deleting in foreground, leaf dependent: background delete",
			in:   dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerWaiting}},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationBackground},
		},
		{
			name: "owner deleting in foreground, dependent has dependents: foreground delete",
			in: dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerWaiting},
				HasDependents: true},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationForeground},
		},
		{
			name: "foreground chain loops back: unblock first",
			in: dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerWaiting},
				HasDependents: true, DependentDeletingDependents: true},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationForeground, Unblock: true},
		},
		{
			name: "dangling plus waiting owner, dependent has dependents: foreground delete",
			in: dependentInput{Owners: []metav1.OwnerReference{a, b},
				States: map[types.UID]ownerState{"a": ownerDangling, "b": ownerWaiting}, HasDependents: true},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationForeground},
		},
		{
			name: "own orphan finalizer is kept as policy",
			in: dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerDangling},
				Finalizers: []string{metav1.FinalizerOrphanDependents}},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationOrphan},
		},
		{
			name: "own foreground finalizer is kept as policy",
			in: dependentInput{Owners: []metav1.OwnerReference{a}, States: map[types.UID]ownerState{"a": ownerDangling},
				Finalizers: []string{"example.com/x", metav1.FinalizerDeleteDependents}},
			want: dependentAction{Kind: actDelete, Policy: metav1.DeletePropagationForeground},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideDependent(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecideOwner(t *testing.T) {
	blocking := dependentView{UID: "d1", Ref: ownerRef("o", true), InScope: true}
	blockingDeleting := dependentView{UID: "d2", Ref: ownerRef("o", true), InScope: true, Deleting: true}
	nonBlocking := dependentView{UID: "d3", Ref: ownerRef("o", false), InScope: true}
	nilBlock := dependentView{UID: "d4", Ref: metav1.OwnerReference{UID: "o"}, InScope: true}
	outOfScope := dependentView{UID: "d5", Ref: ownerRef("o", true), InScope: false}
	fg := []string{metav1.FinalizerDeleteDependents}
	orphan := []string{metav1.FinalizerOrphanDependents}

	tests := []struct {
		name string
		in   ownerInput
		want ownerAction
	}{
		{
			name: "not deleting: nothing",
			in:   ownerInput{Finalizers: fg, Dependents: []dependentView{blocking}},
			want: ownerAction{},
		},
		{
			name: "deleting without collector finalizers: nothing",
			in:   ownerInput{Deleting: true, Finalizers: []string{"example.com/x"}, Dependents: []dependentView{blocking}},
			want: ownerAction{},
		},
		{
			name: "orphan: strip every dependent in scope, then the finalizer",
			in:   ownerInput{Deleting: true, Finalizers: orphan, Dependents: []dependentView{blocking, outOfScope, nonBlocking}},
			want: ownerAction{Orphan: []types.UID{"d1", "d3"}, RemoveOrphanFinalizer: true},
		},
		{
			name: "orphan with no dependents: just the finalizer",
			in:   ownerInput{Deleting: true, Finalizers: orphan},
			want: ownerAction{RemoveOrphanFinalizer: true},
		},
		{
			name: "foreground with blocking dependent: collect, keep finalizer",
			in:   ownerInput{Deleting: true, Finalizers: fg, Dependents: []dependentView{blocking, nonBlocking}},
			want: ownerAction{Collect: []types.UID{"d1", "d3"}},
		},
		{
			name: "foreground, blocking dependent already terminating: wait for it",
			in:   ownerInput{Deleting: true, Finalizers: fg, Dependents: []dependentView{blockingDeleting}},
			want: ownerAction{},
		},
		{
			name: "foreground, only non-blocking dependents: collect and release",
			in:   ownerInput{Deleting: true, Finalizers: fg, Dependents: []dependentView{nonBlocking, nilBlock}},
			want: ownerAction{Collect: []types.UID{"d3", "d4"}, RemoveForegroundFinalizer: true},
		},
		{
			name: "foreground, dependent in another namespace does not block",
			in:   ownerInput{Deleting: true, Finalizers: fg, Dependents: []dependentView{outOfScope}},
			want: ownerAction{RemoveForegroundFinalizer: true},
		},
		{
			name: "foreground, no dependents: release",
			in:   ownerInput{Deleting: true, Finalizers: fg},
			want: ownerAction{RemoveForegroundFinalizer: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideOwner(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestKindIndexLookup(t *testing.T) {
	idx := newKindIndex(BuiltinResources())
	tests := []struct {
		apiVersion, kind string
		wantResource     string
		wantOK           bool
	}{
		{"apps/v1", "ReplicaSet", "replicasets", true},
		{"apps/v1beta2", "Deployment", "deployments", true}, // older version of a served group
		{"v1", "Node", "nodes", true},
		{"v1", "Pod", "pods", true},
		{"batch/v1", "Job", "", false},
		{"v1", "ReplicaSet", "", false}, // wrong group
		{"a/b/c", "Pod", "", false},     // malformed apiVersion
	}
	for _, tt := range tests {
		r, ok := idx.lookup(tt.apiVersion, tt.kind)
		if ok != tt.wantOK || r.GVR.Resource != tt.wantResource {
			t.Errorf("lookup(%q, %q) = (%q, %v), want (%q, %v)", tt.apiVersion, tt.kind, r.GVR.Resource, ok, tt.wantResource, tt.wantOK)
		}
	}
}
