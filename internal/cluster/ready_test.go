package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodesNotReady(t *testing.T) {
	node := func(name string, st corev1.ConditionStatus) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}}}
	}
	list := []corev1.Node{node("a", corev1.ConditionTrue), node("b", corev1.ConditionFalse), node("x", corev1.ConditionTrue)}
	if d := cmp.Diff([]string{"b", "c"}, nodesNotReady(list, []string{"a", "b", "c"})); d != "" {
		t.Fatal(d)
	}
	if got := nodesNotReady(list, []string{"a"}); len(got) != 0 {
		t.Fatal(got)
	}
}

func TestPoll(t *testing.T) {
	n := 0
	if err := poll(context.Background(), time.Millisecond, nil, nil, func() (bool, error) { n++; return n == 3, nil }); err != nil || n != 3 {
		t.Fatalf("%v after %d", err, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := poll(ctx, time.Millisecond, nil, nil, func() (bool, error) { return false, errors.New("nope") })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	done := make(chan struct{})
	close(done)
	err = poll(context.Background(), time.Millisecond, map[string]*nodeProcess{"n0": {Done: done}}, nil, func() (bool, error) { return false, nil })
	var ex errExited
	if !errors.As(err, &ex) || ex.node != "n0" {
		t.Fatalf("got %v", err)
	}
}
