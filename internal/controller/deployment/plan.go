package deployment

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// controllerKind is what the controller's references say.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("Deployment")

// rsWrite is one ReplicaSet to create or update, in its final state for
// this pass.
type rsWrite struct {
	RS     *appsv1.ReplicaSet
	Create bool
	From   int32 // spec.replicas before the pass (0 for a creation)
}

// Plan is what one pass does to a Deployment, in order: write
// ReplicaSets, delete old ReplicaSets, set the Deployment's revision
// annotation, write its status.
type Plan struct {
	Writes  []rsWrite
	Deletes []*appsv1.ReplicaSet
	// Revision is the revision annotation the Deployment should carry; ""
	// when it already does.
	Revision string
	Status   appsv1.DeploymentStatus
	// Recheck, when > 0, is when to look again without an event (the
	// progress deadline passing).
	Recheck time.Duration
}

// plan decides one pass for Deployment d0 given the ReplicaSets it owns
// and, for Recreate, their pods by ReplicaSet UID. It follows Kubernetes'
// deployment controller: a deleted Deployment only gets its status; a
// paused one or a change of spec.replicas is a scaling pass (proportional
// across ReplicaSets); otherwise a Recreate or RollingUpdate rollout step.
func plan(d0 *appsv1.Deployment, rss []*appsv1.ReplicaSet, pods map[types.UID][]*corev1.Pod, now time.Time) Plan {
	p := newPlanner(d0, rss, now)
	var st appsv1.DeploymentStatus
	switch {
	case p.d.DeletionTimestamp != nil:
		p.syncRevision(false)
		st = calculateStatus(p.d, p.all, p.newRS, now)
	default:
		pausedCondition(p.d, &p.d.Status, now)
		switch {
		case p.d.Spec.Paused || p.isScalingEvent():
			st = p.syncScale()
		case p.d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType:
			st = p.rolloutRecreate(pods)
		default:
			st = p.rolloutRolling()
		}
	}
	out := Plan{Status: st, Deletes: p.deletes}
	for _, rs := range p.dirty {
		out.Writes = append(out.Writes, rsWrite{RS: rs, Create: rs == p.created, From: p.orig[rs]})
	}
	if p.revision != "" && p.revision != d0.Annotations[revisionAnnotation] {
		out.Revision = p.revision
	}
	if !p.d.Spec.Paused && p.d.DeletionTimestamp == nil {
		out.Recheck, _ = progressRecheck(p.d, &st, now)
	}
	return out
}

// planner carries one pass. It works on copies: d (defaulted; d.Status is
// the working status) and all (the ReplicaSets, plus the one it decides to
// create), and records which it changed.
type planner struct {
	d   *appsv1.Deployment
	now time.Time
	all []*appsv1.ReplicaSet

	orig    map[*appsv1.ReplicaSet]int32
	dirty   []*appsv1.ReplicaSet
	created *appsv1.ReplicaSet
	deletes []*appsv1.ReplicaSet

	synced   bool
	newRS    *appsv1.ReplicaSet
	old      []*appsv1.ReplicaSet
	revision string
}

func newPlanner(d *appsv1.Deployment, rss []*appsv1.ReplicaSet, now time.Time) *planner {
	p := &planner{d: withDefaults(d), now: now, orig: map[*appsv1.ReplicaSet]int32{}}
	for _, rs := range rss {
		c := rs.DeepCopy()
		p.all = append(p.all, c)
		p.orig[c] = replicasOf(c)
	}
	return p
}

func (p *planner) touch(rs *appsv1.ReplicaSet) {
	if !slices.Contains(p.dirty, rs) {
		p.dirty = append(p.dirty, rs)
	}
}

// findNewRS is the oldest ReplicaSet whose template is the Deployment's.
func findNewRS(d *appsv1.Deployment, rss []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	for _, rs := range sortedBy(rss, byCreation) {
		if equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs
		}
	}
	return nil
}

// syncRevision finds the new ReplicaSet and brings its annotations and the
// Deployment's revision up to date, or, with create, plans its creation.
func (p *planner) syncRevision(create bool) {
	if !p.synced {
		p.synced = true
		p.newRS = findNewRS(p.d, p.all)
		for _, rs := range p.all {
			if rs != p.newRS {
				p.old = append(p.old, rs)
			}
		}
		if p.newRS != nil {
			p.refreshNewRS()
		}
	}
	if p.newRS == nil && create {
		p.createNewRS()
	}
}

// refreshNewRS: an existing ReplicaSet matches the template. If it is an
// old one (rollback, or a template reverted by hand) it becomes the newest
// revision.
func (p *planner) refreshNewRS() {
	rs := p.newRS
	changed := setNewRSAnnotations(p.d, rs, maxRevision(p.old)+1, true)
	if rs.Spec.MinReadySeconds != p.d.Spec.MinReadySeconds {
		rs.Spec.MinReadySeconds = p.d.Spec.MinReadySeconds
		changed = true
	}
	if changed {
		p.touch(rs)
	}
	p.setRevision(rs.Annotations[revisionAnnotation])
	if hasProgressDeadline(p.d) && getCondition(&p.d.Status, appsv1.DeploymentProgressing) == nil {
		setCondition(&p.d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonFoundNewRS,
			fmt.Sprintf("Found new replica set %q", rs.Name), p.now))
	}
}

// newReplicaSet is the ReplicaSet for d's template with the given hash:
// named <deployment>-<hash>, the hash added to its selector and its
// template's labels, no replicas yet.
func newReplicaSet(d *appsv1.Deployment, hash string) *appsv1.ReplicaSet {
	tmpl := d.Spec.Template.DeepCopy()
	tmpl.Labels = withLabel(tmpl.Labels, hashLabel, hash)
	zero := int32(0)
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			Labels:          withLabel(tmpl.Labels, hashLabel, hash),
			OwnerReferences: []metav1.OwnerReference{podutil.NewControllerRef(d, controllerKind)},
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas:        &zero,
			MinReadySeconds: d.Spec.MinReadySeconds,
			Selector:        selectorWithLabel(d.Spec.Selector, hashLabel, hash),
			Template:        *tmpl,
		},
	}
}

func (p *planner) createNewRS() {
	rs := newReplicaSet(p.d, templateHash(&p.d.Spec.Template, p.d.Status.CollisionCount))
	n := newRSReplicas(p.d, append(slices.Clone(p.old), rs), rs)
	rs.Spec.Replicas = &n
	revision := maxRevision(p.old) + 1
	setNewRSAnnotations(p.d, rs, revision, false)
	p.all = append(p.all, rs)
	p.orig[rs] = 0
	p.created = rs
	p.touch(rs)
	p.newRS = rs
	p.setRevision(strconv.FormatInt(revision, 10))
	if hasProgressDeadline(p.d) {
		setCondition(&p.d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonNewRSCreated,
			fmt.Sprintf("Created new replica set %q", rs.Name), p.now))
	}
}

func (p *planner) setRevision(rev string) {
	if rev == "" {
		return
	}
	p.revision = rev
	if p.d.Annotations == nil {
		p.d.Annotations = map[string]string{}
	}
	p.d.Annotations[revisionAnnotation] = rev
}

// scaleRS sets rs to n replicas and refreshes its replica annotations; it
// reports whether the size changed.
func (p *planner) scaleRS(rs *appsv1.ReplicaSet, n int32) bool {
	r := replicasOf(p.d)
	sizeChanged := replicasOf(rs) != n
	if !sizeChanged && !replicasAnnotationsNeedUpdate(rs, r, r+maxSurge(p.d)) {
		return false
	}
	rs.Spec.Replicas = &n
	setReplicasAnnotations(rs, r, r+maxSurge(p.d))
	p.touch(rs)
	return sizeChanged
}

// newRSReplicas is the size the new ReplicaSet may grow to now: all of
// spec.replicas for Recreate; for RollingUpdate as far as the surge allows,
// counting every ReplicaSet's spec.replicas.
func newRSReplicas(d *appsv1.Deployment, all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) int32 {
	if !isRollingUpdate(d) {
		return replicasOf(d)
	}
	maxTotal := replicasOf(d) + maxSurge(d)
	current := sumSpec(all)
	if current >= maxTotal {
		return replicasOf(newRS)
	}
	up := min(maxTotal-current, replicasOf(d)-replicasOf(newRS))
	return replicasOf(newRS) + up
}

// cleanup plans the deletion of the oldest old ReplicaSets beyond
// revisionHistoryLimit that are fully scaled down and settled.
func (p *planner) cleanup() {
	limit := p.d.Spec.RevisionHistoryLimit
	if limit == nil {
		return
	}
	var cleanable []*appsv1.ReplicaSet
	for _, rs := range p.old {
		if rs.DeletionTimestamp == nil {
			cleanable = append(cleanable, rs)
		}
	}
	diff := len(cleanable) - int(*limit)
	if diff <= 0 {
		return
	}
	cleanable = sortedBy(cleanable, byRevision)
	for _, rs := range cleanable[:diff] {
		if rs.Status.Replicas != 0 || replicasOf(rs) != 0 || rs.Generation > rs.Status.ObservedGeneration || slices.Contains(p.dirty, rs) {
			continue
		}
		p.deletes = append(p.deletes, rs)
	}
}
