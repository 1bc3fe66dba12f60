package deployment

import (
	"cmp"
	"math"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
)

// isScalingEvent: spec.replicas changed since the active ReplicaSets were
// last sized (their desired-replicas annotation says otherwise).
func (p *planner) isScalingEvent() bool {
	p.syncRevision(false)
	for _, rs := range activeRSs(p.all) {
		if desired, ok := intAnnotation(rs, desiredReplicasAnnotation); ok && desired != replicasOf(p.d) {
			return true
		}
	}
	return false
}

// syncScale is a scaling pass (also every pass of a paused Deployment): no
// new ReplicaSet, no rollout step, only sizes.
func (p *planner) syncScale() appsv1.DeploymentStatus {
	p.syncRevision(false)
	p.scale()
	if p.d.Spec.Paused {
		p.cleanup()
	}
	return calculateStatus(p.d, p.all, p.newRS, p.now)
}

// scale resizes the ReplicaSets for spec.replicas. One active ReplicaSet
// (or none: the newest) takes it all; a saturated new ReplicaSet leaves the
// old ones at 0; in the middle of a rolling update the change is spread in
// proportion to the ReplicaSets' sizes, so the rollout's balance is kept.
func (p *planner) scale() {
	if rs := activeOrLatest(p.newRS, p.old); rs != nil {
		if replicasOf(rs) != replicasOf(p.d) {
			p.scaleRS(rs, replicasOf(p.d))
		}
		return
	}
	if isSaturated(p.d, p.newRS) {
		for _, rs := range activeRSs(p.old) {
			p.scaleRS(rs, 0)
		}
		return
	}
	if !isRollingUpdate(p.d) {
		return
	}
	all := activeRSs(append(slices.Clone(p.old), p.newRS))
	allowed := int32(0)
	if replicasOf(p.d) > 0 {
		allowed = replicasOf(p.d) + maxSurge(p.d)
	}
	toAdd := allowed - sumSpec(all)
	switch {
	case toAdd > 0:
		slices.SortStableFunc(all, bySizeThen(true))
	case toAdd < 0:
		slices.SortStableFunc(all, bySizeThen(false))
	}
	for i, n := range proportionalSizes(p.d, all, toAdd) {
		p.scaleRS(all[i], n)
	}
}

// bySizeThen orders larger first; on a tie newer first (scaling up) or
// older first (scaling down).
func bySizeThen(newerFirst bool) func(a, b *appsv1.ReplicaSet) int {
	return func(a, b *appsv1.ReplicaSet) int {
		if c := cmp.Compare(replicasOf(b), replicasOf(a)); c != 0 {
			return c
		}
		if newerFirst {
			return byCreation(b, a)
		}
		return byCreation(a, b)
	}
}

// proportionalSizes spreads toAdd (negative: to remove) over rss (sorted
// by bySizeThen) in proportion to their sizes against the size they were
// made for (max-replicas annotation); rounding leftovers go to the first.
func proportionalSizes(d *appsv1.Deployment, rss []*appsv1.ReplicaSet, toAdd int32) []int32 {
	sizes := make([]int32, len(rss))
	var added int32
	for i, rs := range rss {
		sizes[i] = replicasOf(rs)
		if toAdd != 0 {
			n := proportion(d, rs, toAdd, added)
			sizes[i] += n
			added += n
		}
	}
	if toAdd != 0 && len(rss) > 0 {
		sizes[0] = max(sizes[0]+toAdd-added, 0)
	}
	return sizes
}

// proportion is rs's share of toAdd, given added so far, never past what is
// left.
func proportion(d *appsv1.Deployment, rs *appsv1.ReplicaSet, toAdd, added int32) int32 {
	if replicasOf(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	frac := fraction(d, rs)
	left := toAdd - added
	if toAdd > 0 {
		return min(frac, left)
	}
	return max(frac, left)
}

// fraction is how much rs should change for the Deployment's new size: its
// share of the new maximum (replicas + surge) against the maximum it was
// sized for, minus its size.
func fraction(d *appsv1.Deployment, rs *appsv1.ReplicaSet) int32 {
	if replicasOf(d) == 0 {
		return -replicasOf(rs)
	}
	total := replicasOf(d) + maxSurge(d)
	was, ok := intAnnotation(rs, maxReplicasAnnotation)
	if !ok {
		was = d.Status.Replicas
	}
	if was == 0 {
		return 0
	}
	size := float64(replicasOf(rs)) * float64(total) / float64(was)
	return int32(math.Round(size)) - replicasOf(rs)
}

// activeOrLatest: the only active ReplicaSet, or, with none active, the new
// one or else the newest old one; nil with several active.
func activeOrLatest(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	if newRS == nil && len(old) == 0 {
		return nil
	}
	newestFirst := sortedBy(old, func(a, b *appsv1.ReplicaSet) int { return byCreation(b, a) })
	active := activeRSs(append(slices.Clone(newestFirst), newRS))
	switch len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return newestFirst[0]
	case 1:
		return active[0]
	}
	return nil
}

// isSaturated: the new ReplicaSet is sized for, and has available, all of
// spec.replicas.
func isSaturated(d *appsv1.Deployment, rs *appsv1.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	desired, ok := intAnnotation(rs, desiredReplicasAnnotation)
	return ok && desired == replicasOf(d) && replicasOf(rs) == replicasOf(d) && rs.Status.AvailableReplicas == replicasOf(d)
}
