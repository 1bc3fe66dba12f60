package namespace

import (
	"errors"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestSummarize(t *testing.T) {
	got := summarize([]resourceResult{
		{Resource: schema.GroupResource{Resource: "pods"}, Remaining: 2, Finalizers: map[string]int{"a/x": 1}},
		{Resource: schema.GroupResource{Group: "apps", Resource: "deployments"}, Remaining: 1, Finalizers: map[string]int{"a/x": 1, "b": 1}},
		{Resource: schema.GroupResource{Resource: "configmaps"}},
		{Resource: schema.GroupResource{Resource: "secrets"}, Err: errors.New("boom")},
	})
	want := contentSummary{
		Remaining:  map[string]int{"pods": 2, "deployments.apps": 1},
		Finalizers: map[string]int{"a/x": 2, "b": 1},
		Failures:   []string{"secrets: boom"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got.empty() {
		t.Error("summary with content is not empty")
	}
	if !summarize([]resourceResult{{Resource: schema.GroupResource{Resource: "pods"}}}).empty() {
		t.Error("nothing remaining must be empty")
	}
	if summarize([]resourceResult{{Err: errors.New("x")}}).empty() {
		t.Error("a failure must not count as empty")
	}
}

func condByType(conds []corev1.NamespaceCondition, t corev1.NamespaceConditionType) corev1.NamespaceCondition {
	for _, c := range conds {
		if c.Type == t {
			return c
		}
	}
	return corev1.NamespaceCondition{}
}

func TestDesiredConditions(t *testing.T) {
	type want struct {
		status  corev1.ConditionStatus
		reason  string
		message string
	}
	tests := []struct {
		name    string
		summary contentSummary
		want    map[corev1.NamespaceConditionType]want
	}{
		{
			name:    "all gone",
			summary: contentSummary{},
			want: map[corev1.NamespaceConditionType]want{
				corev1.NamespaceDeletionDiscoveryFailure: {corev1.ConditionFalse, "ResourcesDiscovered", "All resources successfully discovered"},
				corev1.NamespaceDeletionGVParsingFailure: {corev1.ConditionFalse, "ParsedGroupVersions", "All legacy kube types successfully parsed"},
				corev1.NamespaceDeletionContentFailure:   {corev1.ConditionFalse, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
				corev1.NamespaceContentRemaining:         {corev1.ConditionFalse, "ContentRemoved", "All content successfully removed"},
				corev1.NamespaceFinalizersRemaining:      {corev1.ConditionFalse, "ContentHasNoFinalizers", "All content-preserving finalizers finished"},
			},
		},
		{
			name: "content and finalizers remain, one failure",
			summary: contentSummary{
				Remaining:  map[string]int{"pods": 2, "configmaps": 1},
				Finalizers: map[string]int{"example.com/f": 1},
				Failures:   []string{"secrets: forbidden"},
			},
			want: map[corev1.NamespaceConditionType]want{
				corev1.NamespaceDeletionContentFailure: {corev1.ConditionTrue, "ContentDeletionFailed", "Failed to delete all resource types, 1 remaining: secrets: forbidden"},
				corev1.NamespaceContentRemaining:       {corev1.ConditionTrue, "SomeResourcesRemain", "Some resources are remaining: configmaps has 1 resource instances, pods has 2 resource instances"},
				corev1.NamespaceFinalizersRemaining:    {corev1.ConditionTrue, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: example.com/f in 1 resource instances"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conds := desiredConditions(tt.summary)
			if len(conds) != 5 {
				t.Fatalf("want all 5 condition types, got %d", len(conds))
			}
			for typ, w := range tt.want {
				c := condByType(conds, typ)
				if c.Status != w.status || c.Reason != w.reason || c.Message != w.message {
					t.Errorf("%s = {%s %s %q}, want {%s %s %q}", typ, c.Status, c.Reason, c.Message, w.status, w.reason, w.message)
				}
			}
		})
	}
}

func TestMergeConditions(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	remaining := corev1.NamespaceCondition{Type: corev1.NamespaceContentRemaining, Status: corev1.ConditionTrue, Reason: "SomeResourcesRemain", Message: "pods has 2 resource instances", LastTransitionTime: t0}
	foreign := corev1.NamespaceCondition{Type: "example.com/Other", Status: corev1.ConditionTrue, LastTransitionTime: t0}

	t.Run("new condition gets now", func(t *testing.T) {
		out, changed := mergeConditions(nil, []corev1.NamespaceCondition{{Type: corev1.NamespaceContentRemaining, Status: corev1.ConditionTrue}}, t1)
		if !changed || !out[0].LastTransitionTime.Equal(&t1) {
			t.Errorf("got %v changed=%v", out, changed)
		}
	})
	t.Run("same status and text: unchanged, time kept", func(t *testing.T) {
		d := remaining
		d.LastTransitionTime = metav1.Time{}
		out, changed := mergeConditions([]corev1.NamespaceCondition{remaining}, []corev1.NamespaceCondition{d}, t1)
		if changed || !out[0].LastTransitionTime.Equal(&t0) {
			t.Errorf("got %v changed=%v", out, changed)
		}
	})
	t.Run("same status, new message: changed, time kept", func(t *testing.T) {
		d := remaining
		d.Message = "pods has 1 resource instances"
		out, changed := mergeConditions([]corev1.NamespaceCondition{remaining}, []corev1.NamespaceCondition{d}, t1)
		if !changed || !out[0].LastTransitionTime.Equal(&t0) || out[0].Message != d.Message {
			t.Errorf("got %v changed=%v", out, changed)
		}
	})
	t.Run("status flips: changed, time moves", func(t *testing.T) {
		d := corev1.NamespaceCondition{Type: corev1.NamespaceContentRemaining, Status: corev1.ConditionFalse, Reason: "ContentRemoved"}
		out, changed := mergeConditions([]corev1.NamespaceCondition{remaining}, []corev1.NamespaceCondition{d}, t1)
		if !changed || !out[0].LastTransitionTime.Equal(&t1) {
			t.Errorf("got %v changed=%v", out, changed)
		}
	})
	t.Run("conditions of other types are kept", func(t *testing.T) {
		d := remaining
		out, changed := mergeConditions([]corev1.NamespaceCondition{foreign, remaining}, []corev1.NamespaceCondition{d}, t1)
		if changed || len(out) != 2 || condByType(out, foreign.Type).Type != foreign.Type {
			t.Errorf("got %v changed=%v", out, changed)
		}
	})
}

func TestDesiredStatus(t *testing.T) {
	now := metav1.Now()
	st, changed := desiredStatus(corev1.NamespaceStatus{Phase: corev1.NamespaceActive}, contentSummary{}, now)
	if !changed || st.Phase != corev1.NamespaceTerminating || len(st.Conditions) != 5 {
		t.Fatalf("first pass: %+v changed=%v", st, changed)
	}
	// A second pass with the same findings writes nothing.
	if _, changed := desiredStatus(st, contentSummary{}, metav1.NewTime(now.Add(time.Hour))); changed {
		t.Error("second identical pass must not change the status")
	}
	// Phase alone differing is a change.
	st.Phase = corev1.NamespaceActive
	if _, changed := desiredStatus(st, contentSummary{}, now); !changed {
		t.Error("phase must be set to Terminating")
	}
}
