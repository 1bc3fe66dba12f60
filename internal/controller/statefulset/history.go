package statefulset

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// revisionHashLabel is the label Kubernetes' controller history puts on a
// ControllerRevision: the hash its name ends with.
const revisionHashLabel = "controller.kubernetes.io/hash"

// templatePatch is what a StatefulSet's ControllerRevision stores: the
// strategic merge patch {"spec":{"template":{…,"$patch":"replace"}}} that
// puts the template back (what `kubectl rollout undo statefulset` applies).
func templatePatch(set *appsv1.StatefulSet) ([]byte, error) {
	raw, err := json.Marshal(set.Spec.Template)
	if err != nil {
		return nil, err
	}
	tmpl := map[string]any{}
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return nil, err
	}
	tmpl["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": tmpl}})
}

// templateOf reads the pod template back out of a revision's patch.
func templateOf(cr *appsv1.ControllerRevision) (*corev1.PodTemplateSpec, error) {
	var patch struct {
		Spec struct {
			Template *corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &patch); err != nil {
		return nil, fmt.Errorf("revision %s: %w", cr.Name, err)
	}
	if patch.Spec.Template == nil {
		return nil, fmt.Errorf("revision %s records no pod template", cr.Name)
	}
	return patch.Spec.Template, nil
}

// hashRevision hashes a revision's data and the collision count (FNV-32,
// the decimal count appended when set), in the safe alphabet, as
// Kubernetes' controller history does.
func hashRevision(data []byte, collisionCount int32) string {
	h := fnv.New32()
	h.Write(data)
	if collisionCount != 0 {
		h.Write([]byte(strconv.FormatInt(int64(collisionCount), 10)))
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// buildRevision is the ControllerRevision of set for data under the
// collision count: name <set>-<hash> (the set's name cut to keep it a
// valid name), the template's labels plus the hash label, a controller
// reference to set.
func buildRevision(set *appsv1.StatefulSet, data []byte, number int64, collisionCount int32) *appsv1.ControllerRevision {
	hash := hashRevision(data, collisionCount)
	prefix := set.Name
	if len(prefix) > 223 {
		prefix = prefix[:223]
	}
	lbls := maps.Clone(set.Spec.Template.Labels)
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[revisionHashLabel] = hash
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Name:            prefix + "-" + hash,
			Namespace:       set.Namespace,
			Labels:          lbls,
			Annotations:     maps.Clone(set.Annotations),
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(set, controllerKind)},
		},
		Data:     runtime.RawExtension{Raw: data},
		Revision: number,
	}
}

// equalData: two revisions record the same template (compared as JSON
// values, so formatting does not matter).
func equalData(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// revisionStep is what has to happen to the history so that a revision
// records the set's current template.
type revisionStep struct {
	// Update is the revision that records the template, when one does.
	Update *appsv1.ControllerRevision
	// Renumber: Update is an older revision coming back (a rollback); it
	// must take number Next.
	Renumber bool
	// Next is the number a new (or renumbered) revision takes.
	Next int64
}

// sortRevisions orders revisions by number, then name.
func sortRevisions(revs []*appsv1.ControllerRevision) {
	slices.SortStableFunc(revs, func(a, b *appsv1.ControllerRevision) int {
		return cmp.Or(cmp.Compare(a.Revision, b.Revision), cmp.Compare(a.Name, b.Name))
	})
}

// planRevision decides, as Kubernetes does, which revision is the update
// revision for data: the newest revision if it records data already, an
// older one that does (renumbered to the top), or a new one (Update nil).
// revs must be sorted.
func planRevision(revs []*appsv1.ControllerRevision, data []byte) revisionStep {
	var step revisionStep
	for _, cr := range revs {
		step.Next = max(step.Next, cr.Revision)
	}
	step.Next++
	for i := len(revs) - 1; i >= 0; i-- {
		if equalData(revs[i].Data.Raw, data) {
			step.Update = revs[i]
			step.Renumber = i != len(revs)-1
			return step
		}
	}
	return step
}

// revisionsToDelete picks the revisions beyond limit to delete, oldest
// first, never the current or update revision or one a pod still uses.
func revisionsToDelete(revs []*appsv1.ControllerRevision, limit int32, keep map[string]bool) []*appsv1.ControllerRevision {
	var candidates []*appsv1.ControllerRevision
	for _, cr := range revs {
		if !keep[cr.Name] {
			candidates = append(candidates, cr)
		}
	}
	n := len(candidates) - int(max(limit, 0))
	if n <= 0 {
		return nil
	}
	return candidates[:n]
}
