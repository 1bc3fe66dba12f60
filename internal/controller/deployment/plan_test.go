package deployment

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestPlanRollingUpdate(t *testing.T) {
	tests := []struct {
		name string
		d    *appsv1.Deployment
		rss  func(d *appsv1.Deployment) []*appsv1.ReplicaSet
		want []string
	}{
		{
			name: "new deployment: one ReplicaSet with all replicas",
			d:    dep(3, "1", "0", "v1"),
			want: []string{"+v1:3"},
		},
		{
			name: "template change: new RS within the surge, old one down within maxUnavailable",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 4, 4, 1)}
			},
			want: []string{"+v2:1", "v1:4->3"},
		},
		{
			name: "maxUnavailable 0: only the surge moves first",
			d:    dep(4, "1", "0", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 4, 4, 1)}
			},
			want: []string{"+v2:1"},
		},
		{
			name: "maxSurge 0: old first",
			d:    dep(4, "0", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 4, 4, 1)}
			},
			want: []string{"+v2:0", "v1:4->3"},
		},
		{
			name: "percentages: 10 replicas 25%/25% -> surge 3, unavailable 2",
			d:    dep(10, "", "", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 10, 10, 1)}
			},
			want: []string{"+v2:3", "v1:10->8"},
		},
		{
			name: "mid rollout: new pods available, old scaled down by what became available",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 3, 3, 1), rsOf(d, "v2", 1, 2, 1, 2)}
			},
			want: []string{"v1:3->2"},
		},
		{
			name: "room to surge again after old scaled down",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 2, 2, 1), rsOf(d, "v2", 1, 2, 2, 2)}
			},
			want: []string{"v2:2->3"},
		},
		{
			name: "at the availability floor nothing moves",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 3, 3, 1), rsOf(d, "v2", 1, 2, 0, 2)}
			},
			want: nil,
		},
		{
			name: "unhealthy old replicas go first, at no cost to availability",
			d:    dep(4, "1", "1", "v3"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 2, 0, 1), rsOf(d, "v2", 1, 2, 2, 2), rsOf(d, "v3", 2, 1, 0, 3)}
			},
			want: []string{"v1:2->1"},
		},
		{
			name: "stale old status (still reporting deleted pods) does not break the floor",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				old := rsOf(d, "v1", 0, 2, 3, 1) // just scaled 3 -> 2, status not caught up
				return []*appsv1.ReplicaSet{old, rsOf(d, "v2", 1, 3, 2, 2)}
			},
			want: []string{"v1:2->1"}, // counting 3 would have taken it to 0, leaving 2 available
		},
		{
			name: "rollout finishes: last old replica goes",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 1, 1, 1), rsOf(d, "v2", 1, 4, 4, 2)}
			},
			want: []string{"v1:1->0"},
		},
		{
			name: "complete: nothing to do",
			d:    dep(4, "1", "1", "v2"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 0, 0, 1), rsOf(d, "v2", 1, 4, 4, 2)}
			},
			want: nil,
		},
		{
			name: "new RS larger than replicas after a scale-down mid... is cut",
			d:    dep(2, "1", "1", "v1"),
			rss: func(d *appsv1.Deployment) []*appsv1.ReplicaSet {
				return []*appsv1.ReplicaSet{rsOf(d, "v1", 0, 2, 2, 1)}
			},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rss []*appsv1.ReplicaSet
			if tt.rss != nil {
				rss = tt.rss(tt.d)
			}
			before := make([]*appsv1.ReplicaSet, len(rss))
			for i := range rss {
				before[i] = rss[i].DeepCopy()
			}
			p := plan(tt.d, rss, nil, t0)
			if diff := cmp.Diff(tt.want, sizes(p)); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			if len(rss) > 0 && !cmp.Equal(before, rss) {
				t.Error("plan modified its input")
			}
			// The invariants, on what the plan leaves behind.
			all := map[string]*appsv1.ReplicaSet{}
			for _, rs := range rss {
				all[rs.Name] = rs
			}
			for _, w := range p.Writes {
				all[w.RS.Name] = w.RS
			}
			var total int32
			for _, rs := range all {
				total += replicasOf(rs)
			}
			d := withDefaults(tt.d)
			if limit := replicasOf(d) + maxSurge(d); total > limit && len(rss) > 0 {
				t.Errorf("%d replicas planned, more than replicas+maxSurge = %d", total, limit)
			}
		})
	}
}

func TestPlanNewRSRevisionAndConditions(t *testing.T) {
	d := dep(3, "1", "0", "v2")
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}
	old := rsOf(d, "v1", 0, 3, 3, 4)
	p := plan(d, []*appsv1.ReplicaSet{old}, nil, t0)
	if len(p.Writes) != 1 || !p.Writes[0].Create {
		t.Fatalf("writes %v", sizes(p))
	}
	rs := p.Writes[0].RS
	tmpl := template("v2")
	if want := "web-" + templateHash(&tmpl, nil); rs.Name != want {
		t.Errorf("name %s, want %s", rs.Name, want)
	}
	if rs.Annotations[revisionAnnotation] != "5" || rs.Annotations[desiredReplicasAnnotation] != "3" || rs.Annotations[maxReplicasAnnotation] != "4" {
		t.Errorf("annotations %v", rs.Annotations)
	}
	if p.Revision != "5" {
		t.Errorf("deployment revision %q, want 5", p.Revision)
	}
	c := getCondition(&p.Status, appsv1.DeploymentProgressing)
	if c == nil || c.Reason != reasonNewRSCreated || c.Message != `Created new replica set "`+rs.Name+`"` {
		t.Errorf("progressing %+v", c)
	}
	if p.Recheck != 600*time.Second {
		t.Errorf("recheck %v, want the progress deadline", p.Recheck)
	}

	// A later pass finds it: FoundNewReplicaSet only when no Progressing
	// condition exists yet.
	d2 := d.DeepCopy()
	d2.Annotations = map[string]string{revisionAnnotation: "5"}
	created := rs.DeepCopy()
	created.UID = "new"
	created.CreationTimestamp = metav1.NewTime(t0.Add(time.Minute))
	p = plan(d2, []*appsv1.ReplicaSet{old, created}, nil, t0)
	if p.Revision != "" {
		t.Errorf("revision already set, got %q", p.Revision)
	}
	if c := getCondition(&p.Status, appsv1.DeploymentProgressing); c == nil || c.Reason != reasonFoundNewRS {
		t.Errorf("progressing %+v", c)
	}
}

func TestPlanRollbackReusesOldReplicaSet(t *testing.T) {
	// v1 (rev 1) was replaced by v2 (rev 2); kubectl rollout undo copied
	// v1's template back into the Deployment.
	d := dep(3, "1", "0", "v1")
	d.Annotations = map[string]string{revisionAnnotation: "2"}
	v1 := rsOf(d, "v1", 0, 0, 0, 1)
	v2 := rsOf(d, "v2", 1, 3, 3, 2)
	p := plan(d, []*appsv1.ReplicaSet{v1, v2}, nil, t0)
	if diff := cmp.Diff([]string{"v1:0->1"}, sizes(p)); diff != "" {
		t.Fatalf("writes (-want +got):\n%s", diff)
	}
	w := p.Writes[0].RS
	if w.Name != v1.Name || w.UID != v1.UID {
		t.Errorf("a new ReplicaSet %s was planned instead of reusing %s", w.Name, v1.Name)
	}
	if w.Annotations[revisionAnnotation] != "3" || w.Annotations[revisionHistoryAnnotation] != "1" {
		t.Errorf("annotations %v", w.Annotations)
	}
	if p.Revision != "3" {
		t.Errorf("deployment revision %q, want 3", p.Revision)
	}
}

func TestPlanOldestMatchingIsNew(t *testing.T) {
	d := dep(2, "1", "0", "v1")
	a := rsOf(d, "v1", 5, 0, 0, 1)
	a.Name, a.UID = "web-newer", "newer"
	b := rsOf(d, "v1", 1, 2, 2, 2)
	b.Name, b.UID = "web-older", "older"
	p := newPlanner(d, []*appsv1.ReplicaSet{a, b}, t0)
	p.syncRevision(false)
	if p.newRS.Name != "web-older" {
		t.Errorf("new RS %s, want the oldest matching", p.newRS.Name)
	}
}

func TestPlanCleanup(t *testing.T) {
	d := dep(2, "1", "0", "v9")
	d.Spec.RevisionHistoryLimit = new(int32(2))
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, AvailableReplicas: 2, ReadyReplicas: 2}
	var rss []*appsv1.ReplicaSet
	for i := 1; i <= 5; i++ {
		rss = append(rss, rsOf(d, "v"+strconv.Itoa(i), i, 0, 0, i))
	}
	rss[1].Status.Replicas = 1 // still has a pod going away
	now := metav1.Now()
	rss[2].DeletionTimestamp = &now
	rss = append(rss, rsOf(d, "v9", 9, 2, 2, 9))
	p := plan(d, rss, nil, t0)
	var got []string
	for _, rs := range p.Deletes {
		got = append(got, rs.Spec.Template.Spec.Containers[0].Image)
	}
	// Cleanable: v1 v2 v4 v5 (v3 is being deleted); 2 over the limit: v1
	// and v2, but v2 still reports a replica.
	if diff := cmp.Diff([]string{"v1"}, got); diff != "" {
		t.Errorf("deletes (-want +got):\n%s", diff)
	}
	// No cleanup while the rollout is incomplete.
	d.Status.AvailableReplicas = 1
	if p := plan(d, rss, nil, t0); len(p.Deletes) != 0 {
		t.Error("cleaned up during a rollout")
	}
	// No limit, no cleanup.
	d.Status.AvailableReplicas = 2
	d.Spec.RevisionHistoryLimit = nil
	if p := plan(d, rss, nil, t0); len(p.Deletes) != 0 {
		t.Error("cleaned up without a revisionHistoryLimit")
	}
}

func TestPlanRecreate(t *testing.T) {
	d := recreate(3, "v2")
	running := func(n int) []*corev1.Pod {
		var out []*corev1.Pod
		for range n {
			out = append(out, &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning}})
		}
		return out
	}
	tests := []struct {
		name string
		old  *appsv1.ReplicaSet
		pods map[types.UID][]*corev1.Pod
		want []string
	}{
		{"scale old down first", rsOf(d, "v1", 0, 3, 3, 1), map[types.UID][]*corev1.Pod{"rs-v1": running(3)}, []string{"v1:3->0"}},
		{"wait while old pods run (terminating)", func() *appsv1.ReplicaSet {
			rs := rsOf(d, "v1", 0, 0, 0, 1)
			rs.Status.Replicas = 0
			return rs
		}(), map[types.UID][]*corev1.Pod{"rs-v1": running(1)}, nil},
		{"wait while the old RS reports replicas", func() *appsv1.ReplicaSet {
			rs := rsOf(d, "v1", 0, 0, 0, 1)
			rs.Status.Replicas = 2
			return rs
		}(), nil, nil},
		{"finished old pods do not block", rsOf(d, "v1", 0, 0, 0, 1), map[types.UID][]*corev1.Pod{"rs-v1": {{Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}}}, []string{"+v2:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(d, []*appsv1.ReplicaSet{tt.old}, tt.pods, t0)
			if diff := cmp.Diff(tt.want, sizes(p)); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanPaused(t *testing.T) {
	d := dep(3, "1", "0", "v2") // template changed while paused
	d.Spec.Paused = true
	old := rsOf(d, "v1", 0, 3, 3, 1)
	p := plan(d, []*appsv1.ReplicaSet{old}, nil, t0)
	if len(p.Writes) != 0 {
		t.Errorf("paused deployment rolled: %v", sizes(p))
	}
	c := getCondition(&p.Status, appsv1.DeploymentProgressing)
	if c == nil || c.Status != corev1.ConditionUnknown || c.Reason != reasonPaused {
		t.Errorf("progressing %+v", c)
	}
	if p.Recheck != 0 {
		t.Error("no progress deadline while paused")
	}
	// Scaling still works while paused.
	d.Spec.Replicas = new(int32(5))
	if diff := cmp.Diff([]string{"v1:3->5"}, sizes(plan(d, []*appsv1.ReplicaSet{old}, nil, t0))); diff != "" {
		t.Errorf("paused scaling (-want +got):\n%s", diff)
	}
	// Resuming notes it and rolls.
	d.Spec.Replicas = new(int32(3))
	d.Spec.Paused = false
	d.Status.Conditions = p.Status.Conditions
	p = plan(d, []*appsv1.ReplicaSet{old}, nil, t0)
	if diff := cmp.Diff([]string{"+v2:1"}, sizes(p)); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}

func TestPlanScaling(t *testing.T) {
	d := dep(10, "3", "2", "v2")
	withAnn := func(rs *appsv1.ReplicaSet, desired, maxr int) *appsv1.ReplicaSet {
		rs.Annotations[desiredReplicasAnnotation] = strconv.Itoa(desired)
		rs.Annotations[maxReplicasAnnotation] = strconv.Itoa(maxr)
		return rs
	}
	tests := []struct {
		name     string
		replicas int32
		rss      []*appsv1.ReplicaSet
		want     []string
	}{
		{
			// The example of the Kubernetes documentation: 10 -> 15 in the
			// middle of a stuck rollout adds 3 to the old and 2 to the new.
			name:     "proportional scale up",
			replicas: 15,
			rss:      []*appsv1.ReplicaSet{withAnn(rsOf(d, "v1", 0, 8, 8, 1), 10, 13), withAnn(rsOf(d, "v2", 1, 5, 0, 2), 10, 13)},
			want:     []string{"v1:8->11", "v2:5->7"},
		},
		{
			name:     "and back down",
			replicas: 10,
			rss:      []*appsv1.ReplicaSet{withAnn(rsOf(d, "v1", 0, 11, 11, 1), 15, 18), withAnn(rsOf(d, "v2", 1, 7, 0, 2), 15, 18)},
			want:     []string{"v1:11->8", "v2:7->5"},
		},
		{
			name:     "to zero",
			replicas: 0,
			rss:      []*appsv1.ReplicaSet{withAnn(rsOf(d, "v1", 0, 8, 8, 1), 10, 13), withAnn(rsOf(d, "v2", 1, 5, 0, 2), 10, 13)},
			want:     []string{"v1:8->0", "v2:5->0"},
		},
		{
			name:     "one active ReplicaSet takes it all",
			replicas: 4,
			rss:      []*appsv1.ReplicaSet{withAnn(rsOf(d, "v1", 0, 0, 0, 1), 10, 13), withAnn(rsOf(d, "v2", 1, 10, 10, 2), 10, 13)},
			want:     []string{"v2:10->4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := d.DeepCopy()
			d.Spec.Replicas = &tt.replicas
			p := plan(d, tt.rss, nil, t0)
			if diff := cmp.Diff(tt.want, sizes(p)); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			for _, w := range p.Writes {
				if w.RS.Annotations[desiredReplicasAnnotation] != strconv.Itoa(int(tt.replicas)) {
					t.Errorf("%s: desired-replicas %s", w.RS.Name, w.RS.Annotations[desiredReplicasAnnotation])
				}
			}
		})
	}
}

func TestProportionalSizes(t *testing.T) {
	d := withDefaults(dep(10, "3", "2", "x"))
	rs := func(n int32, maxr string) *appsv1.ReplicaSet {
		r := &appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Replicas: &n}, ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}}}
		if maxr != "" {
			r.Annotations[maxReplicasAnnotation] = maxr
		}
		return r
	}
	tests := []struct {
		name  string
		rss   []*appsv1.ReplicaSet
		toAdd int32
		want  []int32
	}{
		{"leftover to the largest", []*appsv1.ReplicaSet{rs(5, "10"), rs(5, "10")}, 3, []int32{7, 6}},
		{"zero-sized ones get nothing", []*appsv1.ReplicaSet{rs(6, "13"), rs(0, "13")}, 7, []int32{13, 0}},
		{"missing annotation: status.replicas", []*appsv1.ReplicaSet{rs(4, ""), rs(2, "")}, 0, []int32{4, 2}},
		{"the leftover never takes the first below zero", []*appsv1.ReplicaSet{rs(1, "13"), rs(1, "13")}, -5, []int32{0, 1}},
	}
	for _, tt := range tests {
		if got := proportionalSizes(d, tt.rss, tt.toAdd); !cmp.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestActiveOrLatest(t *testing.T) {
	d := dep(3, "", "", "x")
	a := rsOf(d, "a", 0, 0, 0, 1)
	b := rsOf(d, "b", 1, 0, 0, 2)
	c := rsOf(d, "c", 2, 2, 2, 3)
	e := rsOf(d, "e", 3, 1, 1, 4)
	tests := []struct {
		name  string
		newRS *appsv1.ReplicaSet
		old   []*appsv1.ReplicaSet
		want  *appsv1.ReplicaSet
	}{
		{"nothing", nil, nil, nil},
		{"none active: the new one", a, []*appsv1.ReplicaSet{b}, a},
		{"none active, no new: newest old", nil, []*appsv1.ReplicaSet{a, b}, b},
		{"one active", a, []*appsv1.ReplicaSet{b, c}, c},
		{"two active", e, []*appsv1.ReplicaSet{c}, nil},
	}
	for _, tt := range tests {
		if got := activeOrLatest(tt.newRS, tt.old); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}
