package daemonset

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// revisionData is what a ControllerRevision of ds stores: a strategic
// merge patch that puts the template back, {"spec":{"template":{…,
// "$patch":"replace"}}}, which is what `kubectl rollout undo daemonset`
// applies.
func revisionData(ds *appsv1.DaemonSet) ([]byte, error) {
	raw, err := json.Marshal(ds.Spec.Template)
	if err != nil {
		return nil, err
	}
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return nil, err
	}
	tmpl["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": tmpl}})
}

// revisionHash is the controller-revision-hash of data, as Kubernetes
// computes it: FNV-32a over the data, then the collision count in decimal
// when set, in the safe alphabet.
func revisionHash(data []byte, collisionCount *int32) string {
	h := fnv.New32a()
	h.Write(data)
	if collisionCount != nil {
		h.Write([]byte(strconv.FormatInt(int64(*collisionCount), 10)))
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// revisionName is <ds>-<hash>, the prefix cut so the name stays valid.
func revisionName(ds, hash string) string {
	if len(ds) > 223 {
		ds = ds[:223]
	}
	return ds + "-" + hash
}

// newRevision is the ControllerRevision recording data as revision number
// revision. It carries the DaemonSet's annotations, so kubectl rollout
// history shows each revision's kubernetes.io/change-cause.
func newRevision(ds *appsv1.DaemonSet, data []byte, hash string, revision int64) *appsv1.ControllerRevision {
	lbls := maps.Clone(ds.Spec.Template.Labels)
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[hashLabel] = hash
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            revisionName(ds.Name, hash),
			Namespace:       ds.Namespace,
			Labels:          lbls,
			Annotations:     maps.Clone(ds.Annotations),
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(ds, controllerKind)},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: revision,
	}
}

// hashOf is a revision's hash: its label, or (written by someone who did
// not label it) the suffix of its name.
func hashOf(ds *appsv1.DaemonSet, cr *appsv1.ControllerRevision) string {
	if h := cr.Labels[hashLabel]; h != "" {
		return h
	}
	return strings.TrimPrefix(cr.Name, ds.Name+"-")
}

// sameData: two revisions record the same template, compared as JSON
// values (key order and spacing do not matter).
func sameData(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// history sorts a DaemonSet's revisions against its current template.
type history struct {
	// Current records the template (the highest-numbered one if several
	// do); nil when none does yet.
	Current *appsv1.ControllerRevision
	// Duplicates record the template too and should go.
	Duplicates []*appsv1.ControllerRevision
	Old        []*appsv1.ControllerRevision
	// Next is the number the current revision should carry: one past
	// every old one.
	Next int64
}

func splitHistory(revisions []*appsv1.ControllerRevision, data []byte) history {
	var h history
	var matching []*appsv1.ControllerRevision
	for _, cr := range revisions {
		if sameData(cr.Data.Raw, data) {
			matching = append(matching, cr)
		} else {
			h.Old = append(h.Old, cr)
		}
	}
	for _, cr := range h.Old {
		h.Next = max(h.Next, cr.Revision)
	}
	h.Next++
	slices.SortStableFunc(matching, func(a, b *appsv1.ControllerRevision) int { return cmp.Compare(b.Revision, a.Revision) })
	if len(matching) > 0 {
		h.Current, h.Duplicates = matching[0], matching[1:]
	}
	return h
}

// historyToClean picks the old revisions beyond limit to delete, lowest
// number first, sparing any whose hash a live pod still carries.
func historyToClean(old []*appsv1.ControllerRevision, limit int32, live map[string]bool, ds *appsv1.DaemonSet) []*appsv1.ControllerRevision {
	toKill := len(old) - int(limit)
	if toKill <= 0 {
		return nil
	}
	sorted := slices.Clone(old)
	slices.SortStableFunc(sorted, func(a, b *appsv1.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	var out []*appsv1.ControllerRevision
	for _, cr := range sorted {
		if len(out) == toKill {
			break
		}
		if !live[hashOf(ds, cr)] {
			out = append(out, cr)
		}
	}
	return out
}
