package daemonset

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestRevisionData(t *testing.T) {
	ds := testDS("v1")
	ds.Annotations = map[string]string{"kubernetes.io/change-cause": "first"}
	data, err := revisionData(ds)
	if err != nil {
		t.Fatal(err)
	}
	var patch struct {
		Spec struct {
			Template map[string]any `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(data, &patch); err != nil {
		t.Fatal(err)
	}
	if patch.Spec.Template["$patch"] != "replace" || patch.Spec.Template["spec"] == nil {
		t.Errorf("data %s", data)
	}
	again, _ := revisionData(ds.DeepCopy())
	if string(again) != string(data) {
		t.Error("data not stable")
	}
	other, _ := revisionData(testDS("v2"))
	if sameData(other, data) {
		t.Error("different templates compare equal")
	}
	// Reformatted JSON is the same revision.
	var v any
	_ = json.Unmarshal(data, &v)
	pretty, _ := json.MarshalIndent(v, "", "  ")
	if !sameData(pretty, data) {
		t.Error("formatting must not matter")
	}

	h := revisionHash(data, nil)
	if h == revisionHash(data, ptr.To(int32(1))) || h == revisionHash(other, nil) || h != revisionHash(again, nil) {
		t.Error("hash")
	}
	cr := newRevision(ds, data, h, 3)
	if cr.Name != "agent-"+h || cr.Labels[hashLabel] != h || cr.Labels["app"] != "agent" || cr.Revision != 3 || cr.OwnerReferences[0].Kind != "DaemonSet" ||
		cr.Annotations["kubernetes.io/change-cause"] != "first" {
		t.Errorf("revision %+v", cr.ObjectMeta)
	}
	if hashOf(ds, cr) != h {
		t.Error("hashOf label")
	}
	delete(cr.Labels, hashLabel)
	if hashOf(ds, cr) != h {
		t.Error("hashOf name")
	}
}

func cr(name string, rev int64, data string) *appsv1.ControllerRevision {
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-" + name, Labels: map[string]string{hashLabel: name}},
		Revision:   rev, Data: runtime.RawExtension{Raw: []byte(data)},
	}
}

func TestSplitHistory(t *testing.T) {
	tests := []struct {
		name      string
		revs      []*appsv1.ControllerRevision
		current   string
		dups, old []string
		next      int64
	}{
		{"empty", nil, "", nil, nil, 1},
		{"current is newest", []*appsv1.ControllerRevision{cr("a", 1, `{"x":1}`), cr("b", 2, `{"x":2}`)}, "b", nil, []string{"agent-a"}, 2},
		{"rolled back to an old one", []*appsv1.ControllerRevision{cr("a", 1, `{"x":2}`), cr("b", 2, `{"x":1}`), cr("c", 3, `{"x":3}`)}, "a", nil, []string{"agent-b", "agent-c"}, 4},
		{"duplicates: highest number kept", []*appsv1.ControllerRevision{cr("a", 4, `{"x":2}`), cr("b", 5, `{"x": 2}`), cr("c", 3, `{"x":3}`)}, "b", []string{"agent-a"}, []string{"agent-c"}, 4},
		{"none current", []*appsv1.ControllerRevision{cr("a", 7, `{"x":1}`)}, "", nil, []string{"agent-a"}, 8},
	}
	crNames := func(l []*appsv1.ControllerRevision) []string {
		var out []string
		for _, c := range l {
			out = append(out, c.Name)
		}
		return out
	}
	for _, tt := range tests {
		h := splitHistory(tt.revs, []byte(`{"x":2}`))
		cur := ""
		if h.Current != nil {
			cur = h.Current.Labels[hashLabel]
		}
		if cur != tt.current || !cmp.Equal(crNames(h.Duplicates), tt.dups) || !cmp.Equal(crNames(h.Old), tt.old) || h.Next != tt.next {
			t.Errorf("%s: current %q dups %v old %v next %d", tt.name, cur, crNames(h.Duplicates), crNames(h.Old), h.Next)
		}
	}
}

func TestHistoryToClean(t *testing.T) {
	ds := testDS("v1")
	old := []*appsv1.ControllerRevision{cr("e", 5, ""), cr("a", 1, ""), cr("c", 3, ""), cr("b", 2, ""), cr("d", 4, "")}
	names := func(l []*appsv1.ControllerRevision) []string {
		var out []string
		for _, c := range l {
			out = append(out, c.Labels[hashLabel])
		}
		return out
	}
	if got := names(historyToClean(old, 2, nil, ds)); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("limit 2: %v", got)
	}
	if got := names(historyToClean(old, 2, map[string]bool{"b": true}, ds)); !cmp.Equal(got, []string{"a", "c", "d"}) {
		t.Errorf("b in use: %v", got)
	}
	if got := historyToClean(old, 5, nil, ds); got != nil {
		t.Errorf("within the limit: %v", got)
	}
	if got := names(historyToClean(old, 0, nil, ds)); len(got) != 5 {
		t.Errorf("limit 0: %v", got)
	}
}
