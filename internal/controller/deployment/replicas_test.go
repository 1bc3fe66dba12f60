package deployment

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestResolveFenceposts(t *testing.T) {
	tests := []struct {
		surge, unavail     string
		replicas           int32
		wantSurge, wantUna int32
	}{
		{"25%", "25%", 4, 1, 1},
		{"25%", "25%", 3, 1, 0},  // surge rounds up, unavailable down
		{"25%", "25%", 10, 3, 2}, // 2.5 -> 3 and 2
		{"25%", "25%", 1, 1, 0},
		{"0", "0", 5, 0, 1}, // both 0: one may be unavailable
		{"0%", "0%", 5, 0, 1},
		{"2", "10%", 5, 2, 0},
		{"50%", "50%", 1, 1, 0},
		{"0", "100%", 3, 0, 3},
		{"25%", "25%", 0, 0, 1},
	}
	for _, tt := range tests {
		s, u := intstr.Parse(tt.surge), intstr.Parse(tt.unavail)
		gs, gu := resolveFenceposts(&s, &u, tt.replicas)
		if gs != tt.wantSurge || gu != tt.wantUna {
			t.Errorf("(%s, %s, %d) = %d, %d; want %d, %d", tt.surge, tt.unavail, tt.replicas, gs, gu, tt.wantSurge, tt.wantUna)
		}
	}
}

func TestMaxSurgeUnavailable(t *testing.T) {
	tests := []struct {
		name        string
		d           *appsv1.Deployment
		surge, unav int32
	}{
		{"defaults 25%/25% of 4", withDefaults(dep(4, "", "", "x")), 1, 1},
		{"recreate", recreate(4, "x"), 0, 0},
		{"unavailable capped at replicas", dep(2, "0", "5", "x"), 0, 2},
		{"zero replicas", dep(0, "1", "1", "x"), 1, 0},
	}
	for _, tt := range tests {
		if s, u := maxSurge(tt.d), maxUnavailable(tt.d); s != tt.surge || u != tt.unav {
			t.Errorf("%s: surge %d unavailable %d, want %d %d", tt.name, s, u, tt.surge, tt.unav)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	d := withDefaults(&appsv1.Deployment{})
	if replicasOf(d) != 1 || d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType ||
		d.Spec.Strategy.RollingUpdate.MaxSurge.String() != "25%" || d.Spec.Strategy.RollingUpdate.MaxUnavailable.String() != "25%" {
		t.Errorf("defaults %+v", d.Spec)
	}
	in := recreate(3, "x")
	if out := withDefaults(in); out.Spec.Strategy.RollingUpdate != nil || out == in {
		t.Error("Recreate gets no rolling parameters, and the input is copied")
	}
}

func TestNewRSReplicas(t *testing.T) {
	rs := func(n int32) *appsv1.ReplicaSet {
		return &appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To(n)}}
	}
	tests := []struct {
		name   string
		d      *appsv1.Deployment
		newRS  int32
		others []int32
		want   int32
	}{
		{"fresh deployment takes all", dep(3, "1", "0", "x"), 0, nil, 3},
		{"surge of 1 over a full old RS", dep(4, "1", "1", "x"), 0, []int32{4}, 1},
		{"surge exhausted", dep(4, "1", "1", "x"), 1, []int32{4}, 1},
		{"room after old scaled down", dep(4, "1", "1", "x"), 1, []int32{3}, 2},
		{"never beyond replicas", dep(4, "3", "1", "x"), 3, []int32{1}, 4},
		{"percent surge 50% of 10", dep(10, "50%", "0", "x"), 0, []int32{10}, 5},
		{"recreate takes all", recreate(5, "x"), 0, []int32{0}, 5},
	}
	for _, tt := range tests {
		n := rs(tt.newRS)
		all := []*appsv1.ReplicaSet{n}
		for _, o := range tt.others {
			all = append(all, rs(o))
		}
		if got := newRSReplicas(withDefaults(tt.d), all, n); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}
