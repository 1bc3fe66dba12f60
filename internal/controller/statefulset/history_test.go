package statefulset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestRevisionRoundTrip(t *testing.T) {
	set := testSet(1)
	data, err := templatePatch(set)
	if err != nil {
		t.Fatal(err)
	}
	cr := buildRevision(set, data, 3, 0)
	tmpl, err := templateOf(cr)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Spec.Containers[0].Image != "v1" || tmpl.Labels["app"] != "nginx" {
		t.Errorf("template back: %+v", tmpl)
	}
	if cr.Revision != 3 || cr.Name != "web-"+cr.Labels[revisionHashLabel] || cr.Labels["app"] != "nginx" || cr.OwnerReferences[0].UID != set.UID {
		t.Errorf("revision %+v", cr.ObjectMeta)
	}
	if hashRevision(data, 0) == hashRevision(data, 1) {
		t.Error("the collision count must change the hash")
	}
	if hashRevision(data, 0) != hashRevision(append([]byte(nil), data...), 0) {
		t.Error("hash not stable")
	}
	if _, err := templateOf(&appsv1.ControllerRevision{Data: runtime.RawExtension{Raw: []byte(`{"spec":{}}`)}}); err == nil {
		t.Error("a revision without a template must be an error")
	}
}

func TestPlanRevision(t *testing.T) {
	rev := func(name string, n int64, image string) *appsv1.ControllerRevision {
		set := testSet(1)
		set.Spec.Template.Spec.Containers[0].Image = image
		data, _ := templatePatch(set)
		cr := buildRevision(set, data, n, 0)
		cr.Name = name
		return cr
	}
	data := func(image string) []byte {
		set := testSet(1)
		set.Spec.Template.Spec.Containers[0].Image = image
		d, _ := templatePatch(set)
		return d
	}
	revs := []*appsv1.ControllerRevision{rev("a", 1, "v1"), rev("b", 2, "v2")}
	sortRevisions(revs)

	if s := planRevision(nil, data("v1")); s.Update != nil || s.Next != 1 {
		t.Errorf("empty history: %+v", s)
	}
	if s := planRevision(revs, data("v2")); s.Update == nil || s.Update.Name != "b" || s.Renumber {
		t.Errorf("unchanged template: %+v", s)
	}
	if s := planRevision(revs, data("v1")); s.Update == nil || s.Update.Name != "a" || !s.Renumber || s.Next != 3 {
		t.Errorf("rollback: %+v", s)
	}
	if s := planRevision(revs, data("v3")); s.Update != nil || s.Next != 3 {
		t.Errorf("new template: %+v", s)
	}

	all := []*appsv1.ControllerRevision{rev("r1", 1, "1"), rev("r2", 2, "2"), rev("r3", 3, "3"), rev("r4", 4, "4")}
	got := revisionsToDelete(all, 1, map[string]bool{"r4": true, "r1": true})
	if len(got) != 1 || got[0].Name != "r2" {
		t.Errorf("to delete %v", got)
	}
	if got := revisionsToDelete(all, 10, nil); got != nil {
		t.Errorf("under the limit: %v", got)
	}
}
