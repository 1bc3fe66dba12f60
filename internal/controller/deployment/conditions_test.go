package deployment

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestSetCondition(t *testing.T) {
	st := &appsv1.DeploymentStatus{}
	a := newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "A", "first", t0)
	setCondition(st, a)
	later := t0.Add(time.Minute)
	// Same status and reason: untouched (even the message).
	setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "A", "second", later))
	if c := st.Conditions[0]; c.Message != "first" || !c.LastUpdateTime.Time.Equal(t0) {
		t.Errorf("same reason rewrote %+v", c)
	}
	// Same status, new reason: transition time kept.
	setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "B", "third", later))
	if c := st.Conditions[0]; c.Reason != "B" || !c.LastTransitionTime.Time.Equal(t0) || !c.LastUpdateTime.Time.Equal(later) {
		t.Errorf("reason change %+v", c)
	}
	// Status flips: both times move.
	setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse, "C", "", later))
	if c := st.Conditions[0]; !c.LastTransitionTime.Time.Equal(later) || len(st.Conditions) != 1 {
		t.Errorf("flip %+v", st.Conditions)
	}
	removeCondition(st, appsv1.DeploymentProgressing)
	if len(st.Conditions) != 0 {
		t.Error("remove")
	}
}

func TestCalculateStatus(t *testing.T) {
	d := dep(4, "1", "1", "v2")
	d.Generation = 7
	d.Status.CollisionCount = ptr.To(int32(2))
	old := rsOf(d, "v1", 0, 2, 2, 1)
	newRS := rsOf(d, "v2", 1, 3, 1, 2)
	newRS.Status.ReadyReplicas = 2
	st := calculateStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0)
	want := appsv1.DeploymentStatus{ObservedGeneration: 7, Replicas: 5, UpdatedReplicas: 3, ReadyReplicas: 4, AvailableReplicas: 3, UnavailableReplicas: 2, CollisionCount: ptr.To(int32(2))}
	got := st
	got.Conditions = nil
	if got.String() != want.String() {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if c := getCondition(&st, appsv1.DeploymentAvailable); c == nil || c.Status != corev1.ConditionTrue || c.Reason != reasonMinimumAvailable || c.Message != "Deployment has minimum availability." {
		t.Errorf("available %+v", c)
	}
	newRS.Status.AvailableReplicas = 0
	old.Status.AvailableReplicas = 2 // 2 < 4 - 1
	st = calculateStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0)
	if c := getCondition(&st, appsv1.DeploymentAvailable); c == nil || c.Status != corev1.ConditionFalse || c.Reason != reasonMinimumUnavailable {
		t.Errorf("unavailable %+v", c)
	}
	// More available than wanted: unavailable is 0, not negative.
	old.Spec.Replicas = ptr.To(int32(0))
	old.Status.AvailableReplicas = 4
	if st := calculateStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0); st.UnavailableReplicas != 0 {
		t.Errorf("unavailable %d", st.UnavailableReplicas)
	}
}

func TestRolloutStatusProgressing(t *testing.T) {
	deadline := int32(60)
	base := func() *appsv1.Deployment {
		d := dep(3, "1", "0", "v2")
		d.Spec.ProgressDeadlineSeconds = &deadline
		return d
	}
	cond := func(reason string, status corev1.ConditionStatus, updated time.Time) []appsv1.DeploymentCondition {
		return []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: status, Reason: reason, LastUpdateTime: metav1.NewTime(updated), LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))}}
	}
	now := t0
	tests := []struct {
		name       string
		prev       appsv1.DeploymentStatus // d.Status
		newAvail   int32                   // new RS: spec 3, this many available
		oldSpec    int32
		noDeadline bool
		wantReason string
		wantStatus corev1.ConditionStatus
		wantUpdate time.Time
		recheck    time.Duration
	}{
		{
			name:       "complete",
			prev:       appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2, Conditions: cond(reasonRSUpdated, corev1.ConditionTrue, now.Add(-10*time.Second))},
			newAvail:   3,
			wantReason: reasonNewRSAvailable, wantStatus: corev1.ConditionTrue, wantUpdate: now,
		},
		{
			name:     "progress refreshes lastUpdateTime",
			prev:     appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3, AvailableReplicas: 1, Conditions: cond(reasonRSUpdated, corev1.ConditionTrue, now.Add(-50*time.Second))},
			newAvail: 2, oldSpec: 1,
			wantReason: reasonRSUpdated, wantStatus: corev1.ConditionTrue, wantUpdate: now,
			recheck: 60 * time.Second,
		},
		{
			name:     "no progress within the deadline: unchanged",
			prev:     appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: cond(reasonRSUpdated, corev1.ConditionTrue, now.Add(-50*time.Second))},
			newAvail: 2, oldSpec: 1,
			wantReason: reasonRSUpdated, wantStatus: corev1.ConditionTrue, wantUpdate: now.Add(-50 * time.Second),
			recheck: 10 * time.Second,
		},
		{
			name:     "no progress past the deadline",
			prev:     appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: cond(reasonRSUpdated, corev1.ConditionTrue, now.Add(-61*time.Second))},
			newAvail: 2, oldSpec: 1,
			wantReason: reasonTimedOut, wantStatus: corev1.ConditionFalse, wantUpdate: now,
		},
		{
			name:     "timed out stays so",
			prev:     appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: cond(reasonTimedOut, corev1.ConditionFalse, now.Add(-time.Hour))},
			newAvail: 2, oldSpec: 1,
			wantReason: reasonTimedOut, wantStatus: corev1.ConditionFalse, wantUpdate: now.Add(-time.Hour),
		},
		{
			name:       "a complete rollout is not re-evaluated",
			prev:       appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: cond(reasonNewRSAvailable, corev1.ConditionTrue, now.Add(-time.Hour))},
			newAvail:   2, // a pod died: still "complete", Available tells the rest
			wantReason: reasonNewRSAvailable, wantStatus: corev1.ConditionTrue, wantUpdate: now.Add(-time.Hour),
		},
		{
			name:       "no deadline: no Progressing condition",
			prev:       appsv1.DeploymentStatus{Conditions: cond(reasonRSUpdated, corev1.ConditionTrue, now)},
			newAvail:   1,
			noDeadline: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			if tt.noDeadline {
				d.Spec.ProgressDeadlineSeconds = nil
			}
			d.Status = tt.prev
			newRS := rsOf(d, "v2", 1, 3, tt.newAvail, 2)
			old := rsOf(d, "v1", 0, tt.oldSpec, tt.oldSpec, 1)
			st := rolloutStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, now)
			c := getCondition(&st, appsv1.DeploymentProgressing)
			if tt.noDeadline {
				if c != nil {
					t.Fatalf("progressing %+v", c)
				}
				return
			}
			if c == nil || c.Reason != tt.wantReason || c.Status != tt.wantStatus || !c.LastUpdateTime.Time.Equal(tt.wantUpdate) {
				t.Fatalf("progressing %+v", c)
			}
			if c.Status == tt.prev.Conditions[0].Status && !c.LastTransitionTime.Equal(&tt.prev.Conditions[0].LastTransitionTime) {
				t.Error("transition time moved without a status change")
			}
			got, ok := progressRecheck(d, &st, now)
			if (tt.recheck > 0) != ok || (ok && got != tt.recheck) {
				t.Errorf("recheck %v %v, want %v", got, ok, tt.recheck)
			}
		})
	}
}

func TestReplicaFailureLifted(t *testing.T) {
	d := dep(3, "1", "0", "v2")
	old := rsOf(d, "v1", 0, 1, 1, 1)
	newRS := rsOf(d, "v2", 1, 3, 0, 2)
	fail := func(msg string) []appsv1.ReplicaSetCondition {
		return []appsv1.ReplicaSetCondition{{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: msg}}
	}
	old.Status.Conditions = fail("old")
	st := rolloutStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0)
	if c := getCondition(&st, appsv1.DeploymentReplicaFailure); c == nil || c.Message != "old" {
		t.Errorf("old RS failure not lifted: %+v", c)
	}
	newRS.Status.Conditions = fail("new")
	st = rolloutStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0)
	if c := getCondition(&st, appsv1.DeploymentReplicaFailure); c == nil || c.Message != "new" {
		t.Errorf("new RS failure should win: %+v", c)
	}
	d.Status = st
	old.Status.Conditions, newRS.Status.Conditions = nil, nil
	st = rolloutStatus(d, []*appsv1.ReplicaSet{old, newRS}, newRS, t0)
	if c := getCondition(&st, appsv1.DeploymentReplicaFailure); c != nil {
		t.Errorf("failure not cleared: %+v", c)
	}
}

func TestPausedCondition(t *testing.T) {
	tests := []struct {
		name     string
		paused   bool
		current  string
		noDeadln bool
		want     string
	}{
		{"pausing", true, reasonRSUpdated, false, reasonPaused},
		{"still paused", true, reasonPaused, false, reasonPaused},
		{"resuming", false, reasonPaused, false, reasonResumed},
		{"running", false, reasonRSUpdated, false, reasonRSUpdated},
		{"a timeout is not overwritten", true, reasonTimedOut, false, reasonTimedOut},
		{"no deadline, nothing recorded", true, "", true, ""},
	}
	for _, tt := range tests {
		d := dep(1, "", "", "x")
		d.Spec.Paused = tt.paused
		if tt.noDeadln {
			d.Spec.ProgressDeadlineSeconds = nil
		}
		st := &appsv1.DeploymentStatus{}
		if tt.current != "" {
			st.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: tt.current}}
		}
		pausedCondition(d, st, t0)
		got := ""
		if c := getCondition(st, appsv1.DeploymentProgressing); c != nil {
			got = c.Reason
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
