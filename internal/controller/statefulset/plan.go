package statefulset

import (
	"fmt"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
)

// observed is what one pass of the controller decides from.
type observed struct {
	Set *appsv1.StatefulSet
	// Current and Update are the revisions pods below and at/above the
	// partition are made from (names and templates).
	Current, Update         string
	CurrentTmpl, UpdateTmpl *corev1.PodTemplateSpec
	// Pods are the pods the set controls (any phase).
	Pods []*corev1.Pod
	// Claims are the namespace's claims by name.
	Claims map[string]*corev1.PersistentVolumeClaim
	Now    time.Time
}

type actionType int

const (
	// createPod creates Claims (the absent ones of the pod), then Pod.
	createPod actionType = iota
	// createClaims creates a pending pod's missing Claims.
	createClaims
	// deletePod deletes Pod (guarded by its UID).
	deletePod
	// fixIdentity patches Pod's identity labels back.
	fixIdentity
	// setClaimOwners writes Claims' ownerReferences as they are given.
	setClaimOwners
)

func (t actionType) String() string {
	return [...]string{"create", "create claims", "delete", "fix identity", "set claim owners"}[t]
}

// action is one write the controller makes.
type action struct {
	Type   actionType
	Pod    *corev1.Pod
	Claims []*corev1.PersistentVolumeClaim
	// Why says, for logs, what called for it.
	Why string
}

// decision is the outcome of one pass.
type decision struct {
	Actions []action
	// Waiting says why the pass stopped short of the desired state (an
	// OrderedReady step or the rolling update waiting for a pod), "" if not.
	Waiting string
	// FailedCreates are pods that cannot be created, to be reported.
	FailedCreates []failedCreate
	Status        appsv1.StatefulSetStatus
	// Requeue is when a ready pod passes minReadySeconds (0: none does).
	Requeue time.Duration
}

// failedCreate is a pod the pass could not create and why.
type failedCreate struct {
	Pod, Err string
}

// plan decides one pass over a StatefulSet, following Kubernetes'
// StatefulSet control loop:
//
//  1. every ordinal in range in order: a finished (Failed/Succeeded) pod is
//     deleted to be recreated; a missing pod is created (with its claims);
//     OrderedReady stops at the first pod it created or that is not yet
//     Running, Ready and available; a live pod's identity labels and claim
//     owners are put right;
//  2. claims of condemned ordinals (out of range) get the owners the
//     retention policy wants, then condemned pods are deleted from the
//     highest ordinal — OrderedReady one at a time and only while every other
//     pod is healthy;
//  3. RollingUpdate: from the highest ordinal down to the partition, the
//     first pod not at the update revision is deleted (it comes back at the
//     update revision), one at a time after each is healthy again, or up to
//     maxUnavailable at once; OnDelete leaves that to the user.
func plan(in observed) decision {
	d := planPass(in)
	completeRollingUpdate(in.Set, &d.Status)
	return d
}

func planPass(in observed) decision {
	set := in.Set
	start, n := startOrdinal(set), replicaCount(set)
	monotonic := set.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	minReady := set.Spec.MinReadySeconds
	d := decision{Status: computeStatus(in)}

	replicas := make([]*corev1.Pod, n)
	var condemned []*corev1.Pod
	for _, p := range in.Pods {
		if ord := ordinalOf(p); inRange(set, ord) {
			replicas[ord-start] = p
		} else if ord >= 0 {
			condemned = append(condemned, p)
		}
	}
	slices.SortFunc(condemned, func(a, b *corev1.Pod) int { return ordinalOf(b) - ordinalOf(a) })
	d.Requeue = nextAvailable(in.Pods, minReady, in.Now)
	if set.DeletionTimestamp != nil {
		return d // the garbage collector takes the pods
	}

	// The first unhealthy pod, in the order pods are made then condemned
	// ones highest first: the only condemned pod OrderedReady may delete
	// while something is unhealthy.
	var firstUnhealthy *corev1.Pod
	for _, p := range append(slices.Clone(replicas), condemned...) {
		if p != nil && !isHealthy(p) {
			firstUnhealthy = p
			break
		}
	}

	// 1. Live ordinals.
	for i := range replicas {
		p, ord := replicas[i], start+i
		stop := func(why string) bool {
			if monotonic {
				d.Waiting = why
				return true
			}
			return false
		}
		if p == nil {
			pod := newVersionedPod(in, ord)
			claims, blocked, failed := claimsToCreate(set, in.Claims, ord, nil)
			if failed {
				d.FailedCreates = append(d.FailedCreates, failedCreate{Pod: pod.Name, Err: blocked})
			}
			if blocked != "" {
				if stop(blocked) {
					break
				}
				continue
			}
			d.Actions = append(d.Actions, action{Type: createPod, Pod: pod, Claims: claims, Why: "missing"})
			d.Status.Replicas++
			if revisionOf(pod) == in.Current {
				d.Status.CurrentReplicas++
			}
			if revisionOf(pod) == in.Update {
				d.Status.UpdatedReplicas++
			}
			replicas[i] = pod
			if stop(fmt.Sprintf("pod %s created, waiting for it to be Running and Ready", pod.Name)) {
				break
			}
			continue
		}
		if isFinished(p) {
			if !isTerminating(p) {
				d.Actions = append(d.Actions, action{Type: deletePod, Pod: p, Why: "pod " + string(p.Status.Phase) + ", recreating"})
			}
			if stop(fmt.Sprintf("pod %s %s, waiting for it to be recreated", p.Name, p.Status.Phase)) {
				break
			}
			continue
		}
		if p.Status.Phase == corev1.PodPending && !isTerminating(p) {
			if claims, _, _ := claimsToCreate(set, in.Claims, ord, p); len(claims) > 0 {
				d.Actions = append(d.Actions, action{Type: createClaims, Pod: p, Claims: claims, Why: "pending pod misses claims"})
			}
		}
		if isTerminating(p) && stop(fmt.Sprintf("pod %s is terminating", p.Name)) {
			break
		}
		if !isRunningAndReady(p) && stop(fmt.Sprintf("pod %s is not Running and Ready", p.Name)) {
			break
		}
		if !isRunningAndAvailable(p, minReady, in.Now) && stop(fmt.Sprintf("pod %s is not available yet", p.Name)) {
			break
		}
		if !identityMatches(set, p) {
			d.Actions = append(d.Actions, action{Type: fixIdentity, Pod: p, Why: "identity labels"})
		}
		if fixed := claimsNeedingOwners(set, in.Claims, ord, p); len(fixed) > 0 {
			d.Actions = append(d.Actions, action{Type: setClaimOwners, Pod: p, Claims: fixed, Why: "retention policy"})
		}
	}
	if d.Waiting != "" {
		return d
	}

	// 2. Condemned ordinals: claims first, so the retention policy holds
	// when their pods go.
	for _, p := range condemned {
		if fixed := claimsNeedingOwners(set, in.Claims, ordinalOf(p), p); len(fixed) > 0 {
			d.Actions = append(d.Actions, action{Type: setClaimOwners, Pod: p, Claims: fixed, Why: "retention policy, scaled down"})
		}
	}
	for _, p := range condemned {
		if isTerminating(p) {
			if monotonic {
				d.Waiting = fmt.Sprintf("pod %s is terminating", p.Name)
				return d
			}
			continue
		}
		if monotonic && p != firstUnhealthy && (!isRunningAndReady(p) || !isRunningAndAvailable(p, minReady, in.Now)) {
			d.Waiting = fmt.Sprintf("pod %s is unhealthy, scale-down waits", p.Name)
			return d
		}
		d.Actions = append(d.Actions, action{Type: deletePod, Pod: p, Why: "scaled down"})
		if monotonic {
			d.Waiting = fmt.Sprintf("pod %s deleted for the scale-down", p.Name)
			return d
		}
	}

	// 3. Rolling update.
	su := set.Spec.UpdateStrategy
	if su.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return d
	}
	partition := 0
	var maxUnavailable *intstr.IntOrString
	if ru := su.RollingUpdate; ru != nil {
		if ru.Partition != nil {
			partition = int(*ru.Partition)
		}
		maxUnavailable = ru.MaxUnavailable
	}
	if maxUnavailable != nil {
		rollWithMaxUnavailable(&d, in, replicas, partition, maxUnavailable)
		return d
	}
	for i := n - 1; i >= partition; i-- {
		p := replicas[i]
		if p == nil {
			d.Waiting = fmt.Sprintf("rolling update waits for pod %s", podName(set, start+i))
			return d
		}
		if revisionOf(p) != in.Update && !isTerminating(p) {
			d.Actions = append(d.Actions, action{Type: deletePod, Pod: p, Why: "rolling update to " + in.Update})
			d.Status.CurrentReplicas--
			return d
		}
		if !isHealthy(p) {
			d.Waiting = fmt.Sprintf("rolling update waits for pod %s", p.Name)
			return d
		}
	}
	return d
}

// rollWithMaxUnavailable deletes, highest ordinal first and not below the
// partition, outdated pods while fewer than maxUnavailable pods are
// unavailable.
func rollWithMaxUnavailable(d *decision, in observed, replicas []*corev1.Pod, partition int, mu *intstr.IntOrString) {
	limit, err := intstr.GetScaledValueFromIntOrPercent(mu, len(replicas), true)
	if err != nil || limit < 1 {
		limit = 1
	}
	unavailable := 0
	for _, p := range replicas {
		if p == nil || !isHealthy(p) || !isRunningAndAvailable(p, in.Set.Spec.MinReadySeconds, in.Now) {
			unavailable++
		}
	}
	for i := len(replicas) - 1; i >= partition && unavailable < limit; i-- {
		p := replicas[i]
		if p != nil && revisionOf(p) != in.Update && !isTerminating(p) {
			d.Actions = append(d.Actions, action{Type: deletePod, Pod: p, Why: "rolling update to " + in.Update})
			d.Status.CurrentReplicas--
			unavailable++
		}
	}
}

// newVersionedPod is the pod for ordinal: from the current revision below
// the partition (or, without rolling-update parameters, below
// status.currentReplicas), from the update revision otherwise.
func newVersionedPod(in observed, ordinal int) *corev1.Pod {
	set := in.Set
	idx := ordinal - startOrdinal(set)
	if su := set.Spec.UpdateStrategy; su.Type == appsv1.RollingUpdateStatefulSetStrategyType {
		ru := su.RollingUpdate
		if (ru == nil && idx < int(set.Status.CurrentReplicas)) || (ru != nil && ru.Partition != nil && idx < int(*ru.Partition)) {
			return newPod(set, in.CurrentTmpl, in.Current, ordinal)
		}
	}
	return newPod(set, in.UpdateTmpl, in.Update, ordinal)
}

// claimsToCreate returns the claims of ordinal's pod that do not exist yet
// (with the retention policy's owners), or why the pod cannot be made now: a
// claim is being deleted (failed: Kubernetes reports that as a failed
// creation), or a scaled-down pod's claim (stale, see staleClaim) has yet to
// go.
func claimsToCreate(set *appsv1.StatefulSet, existing map[string]*corev1.PersistentVolumeClaim, ordinal int, pod *corev1.Pod) (claims []*corev1.PersistentVolumeClaim, blocked string, failed bool) {
	var out []*corev1.PersistentVolumeClaim
	for i := range set.Spec.VolumeClaimTemplates {
		c := newClaim(set, &set.Spec.VolumeClaimTemplates[i], ordinal)
		cur := existing[c.Name]
		switch {
		case cur == nil:
			c.OwnerReferences = claimOwnerRefs(set, nil, ordinal, pod)
			out = append(out, c)
		case cur.DeletionTimestamp != nil:
			return nil, fmt.Sprintf("pvc %s is being deleted", c.Name), true
		case pod == nil && staleClaim(cur, nil):
			return nil, fmt.Sprintf("claim %s belongs to a scaled-down pod and is about to be deleted", c.Name), false
		}
	}
	return out, "", false
}

// claimsNeedingOwners returns copies of pod's existing claims whose owner
// references differ from what the retention policy wants, with the wanted
// ones.
func claimsNeedingOwners(set *appsv1.StatefulSet, existing map[string]*corev1.PersistentVolumeClaim, ordinal int, pod *corev1.Pod) []*corev1.PersistentVolumeClaim {
	var out []*corev1.PersistentVolumeClaim
	for _, ct := range set.Spec.VolumeClaimTemplates {
		cur := existing[claimName(set, ct.Name, ordinal)]
		if cur == nil || cur.DeletionTimestamp != nil {
			continue
		}
		want := claimOwnerRefs(set, cur.OwnerReferences, ordinal, pod)
		if !sameRefs(want, cur.OwnerReferences) {
			c := cur.DeepCopy()
			c.OwnerReferences = want
			out = append(out, c)
		}
	}
	return out
}

// nextAvailable is when the first ready pod passes minReadySeconds.
func nextAvailable(pods []*corev1.Pod, minReady int32, now time.Time) time.Duration {
	var next time.Duration
	for _, p := range pods {
		if d, ok := podutil.AvailableIn(p, minReady, now); ok && d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	return next
}
