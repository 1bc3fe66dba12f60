package deployment

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSetNewRSAnnotations(t *testing.T) {
	d := dep(4, "1", "0", "nginx")
	d.Annotations = map[string]string{
		"kubernetes.io/change-cause": "kubectl set image",
		revisionAnnotation:           "7",
		lastAppliedAnnotation:        "{}",
	}
	tests := []struct {
		name        string
		annotations map[string]string
		newRevision int64
		exists      bool
		want        map[string]string
		changed     bool
	}{
		{
			name:        "about to be created",
			newRevision: 3,
			want: map[string]string{
				"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "3",
				desiredReplicasAnnotation: "4", maxReplicasAnnotation: "5",
			},
			changed: true,
		},
		{
			name:        "existing, up to date",
			annotations: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "3"},
			newRevision: 3, exists: true,
			want: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "3"},
		},
		{
			name:        "existing, newer than the others already",
			annotations: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "5"},
			newRevision: 3, exists: true,
			want: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "5"},
		},
		{
			name:        "rolled back to: revision raised, old one kept in the history",
			annotations: map[string]string{revisionAnnotation: "1"},
			newRevision: 4, exists: true,
			want:    map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "4", revisionHistoryAnnotation: "1"},
			changed: true,
		},
		{
			name:        "rolled back to again",
			annotations: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "4", revisionHistoryAnnotation: "1"},
			newRevision: 6, exists: true,
			want:    map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "6", revisionHistoryAnnotation: "1,4"},
			changed: true,
		},
		{
			name:        "a foreign revision value is left alone",
			annotations: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "x"},
			newRevision: 2, exists: true,
			want: map[string]string{"kubernetes.io/change-cause": "kubectl set image", revisionAnnotation: "x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Annotations: tt.annotations}}
			changed := setNewRSAnnotations(d, rs, tt.newRevision, tt.exists)
			if diff := cmp.Diff(tt.want, rs.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v", changed)
			}
		})
	}
}

func TestAppendRevisionHistory(t *testing.T) {
	if got := appendRevisionHistory("", "3"); got != "3" {
		t.Errorf("got %q", got)
	}
	if got := appendRevisionHistory("1,2", "3"); got != "1,2,3" {
		t.Errorf("got %q", got)
	}
	long := strings.Repeat("1234567890,", 200) + "1"
	got := appendRevisionHistory(long, "99")
	if len(got) > maxRevisionHistoryChars || !strings.HasSuffix(got, ",1,99") {
		t.Errorf("history not trimmed from the front: len %d, tail %q", len(got), got[len(got)-10:])
	}
}

func TestRevisions(t *testing.T) {
	mk := func(rev string) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{revisionAnnotation: rev}}}
	}
	if got := maxRevision([]*appsv1.ReplicaSet{mk("2"), mk("10"), mk("x"), mk("")}); got != 10 {
		t.Errorf("maxRevision = %d", got)
	}
	if maxRevision(nil) != 0 {
		t.Error("no ReplicaSets: 0")
	}
	rs := &appsv1.ReplicaSet{}
	if !setReplicasAnnotations(rs, 3, 4) || setReplicasAnnotations(rs, 3, 4) || !replicasAnnotationsNeedUpdate(rs, 5, 6) {
		t.Error("replica annotations")
	}
	if v, ok := intAnnotation(rs, maxReplicasAnnotation); !ok || v != 4 {
		t.Errorf("max-replicas %d %v", v, ok)
	}
}
