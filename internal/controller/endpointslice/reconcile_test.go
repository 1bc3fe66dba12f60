package endpointslice

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// applyPlan does to a set of slices what the API server does with a plan.
func applyPlan(existing []*discoveryv1.EndpointSlice, plan slicePlan, round int) []*discoveryv1.EndpointSlice {
	var out []*discoveryv1.EndpointSlice
	for _, s := range existing {
		if slices.ContainsFunc(plan.delete, func(d *discoveryv1.EndpointSlice) bool { return d.Name == s.Name }) {
			continue
		}
		if i := slices.IndexFunc(plan.update, func(u *discoveryv1.EndpointSlice) bool { return u.Name == s.Name }); i >= 0 {
			s = plan.update[i]
		}
		out = append(out, s)
	}
	return append(out, named(slices.Clone(plan.create), fmt.Sprintf("web-r%d-", round))...)
}

func sizes(ss []*discoveryv1.EndpointSlice) []int {
	var out []int
	for _, s := range ss {
		out = append(out, len(s.Endpoints))
	}
	slices.Sort(out)
	return out
}

func TestPlanNewService(t *testing.T) {
	svc := service("web")
	plan := planSlices(svc, pods(250), nil, nil, 100)
	if len(plan.update) != 0 || len(plan.delete) != 0 {
		t.Fatalf("new service: updates %d deletes %d", len(plan.update), len(plan.delete))
	}
	if diff := cmp.Diff([]int{50, 100, 100}, sizes(plan.create)); diff != "" {
		t.Errorf("slice sizes: %s", diff)
	}
	s := plan.create[0]
	wantLabels := map[string]string{discoveryv1.LabelServiceName: "web", discoveryv1.LabelManagedBy: ControllerName}
	if diff := cmp.Diff(wantLabels, s.Labels); diff != "" {
		t.Errorf("labels: %s", diff)
	}
	if s.GenerateName != "web-" || s.Namespace != "default" || s.AddressType != discoveryv1.AddressTypeIPv4 {
		t.Errorf("meta: generateName %q namespace %q addressType %q", s.GenerateName, s.Namespace, s.AddressType)
	}
	if len(s.OwnerReferences) != 1 || s.OwnerReferences[0].UID != svc.UID || !*s.OwnerReferences[0].Controller {
		t.Errorf("owner references: %+v", s.OwnerReferences)
	}
	if len(s.Ports) != 1 || *s.Ports[0].Port != 8080 || *s.Ports[0].Name != "http" || *s.Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("ports: %+v", s.Ports)
	}
}

func TestPlanPlaceholder(t *testing.T) {
	svc := service("web")
	plan := planSlices(svc, nil, nil, nil, 100)
	if len(plan.create) != 1 || len(plan.create[0].Endpoints) != 0 || len(plan.create[0].Ports) != 0 {
		t.Fatalf("want one empty placeholder, got %+v", plan)
	}
	existing := applyPlan(nil, plan, 0)
	if p := planSlices(svc, nil, existing, nil, 100); !p.empty() {
		t.Errorf("placeholder is rewritten: %+v", p)
	}
	relabelled := service("web", svcLabels(map[string]string{"tier": "front"}))
	p := planSlices(relabelled, nil, existing, nil, 100)
	if len(p.update) != 1 || len(p.create)+len(p.delete) != 0 || p.update[0].Labels["tier"] != "front" {
		t.Errorf("relabelling the placeholder: %+v", p)
	}
	// The first pod takes the placeholder's place.
	p = planSlices(svc, pods(1), existing, nil, 100)
	if len(p.create) != 1 || len(p.delete) != 1 || len(p.update) != 0 {
		t.Errorf("first endpoint: create %d update %d delete %d", len(p.create), len(p.update), len(p.delete))
	}
}

func TestPlanMinimalChurn(t *testing.T) {
	svc := service("web")
	start := pods(250)
	tests := []struct {
		name                    string
		svc                     *corev1.Service
		pods                    func([]*corev1.Pod) []*corev1.Pod
		create, update, deletes int
		total                   int
	}{
		{"nothing changed", svc, func(p []*corev1.Pod) []*corev1.Pod { return p }, 0, 0, 0, 250},
		{"one pod gone", svc, func(p []*corev1.Pod) []*corev1.Pod { return p[1:] }, 0, 1, 0, 249},
		{"one pod added", svc, func(p []*corev1.Pod) []*corev1.Pod {
			return append(p, pod("web-new", "10.42.9.9"))
		}, 0, 1, 0, 251},
		{"one pod not ready", svc, func(p []*corev1.Pod) []*corev1.Pod {
			p[7] = p[7].DeepCopy()
			notReady(p[7])
			return p
		}, 0, 1, 0, 250},
		{"pod replaced", svc, func(p []*corev1.Pod) []*corev1.Pod {
			return append(p[1:], pod("web-new", "10.42.9.9"))
		}, 0, 1, 0, 250},
		{"a hundred more", svc, func(p []*corev1.Pod) []*corev1.Pod {
			for i := range 100 {
				p = append(p, pod(fmt.Sprintf("more-%03d", i), fmt.Sprintf("10.42.8.%d", i+1)))
			}
			return p
		}, 1, 0, 0, 350},
		{"all gone", svc, func([]*corev1.Pod) []*corev1.Pod { return nil }, 1, 0, 3, 0},
		{"service relabelled", service("web", svcLabels(map[string]string{"tier": "front"})), func(p []*corev1.Pod) []*corev1.Pod { return p }, 0, 3, 0, 250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			existing := applyPlan(nil, planSlices(svc, start, nil, nil, 100), 0)
			cur := tt.pods(slices.Clone(start))
			plan := planSlices(tt.svc, cur, existing, nil, 100)
			if len(plan.create) != tt.create || len(plan.update) != tt.update || len(plan.delete) != tt.deletes {
				t.Fatalf("create %d update %d delete %d, want %d %d %d",
					len(plan.create), len(plan.update), len(plan.delete), tt.create, tt.update, tt.deletes)
			}
			after := applyPlan(existing, plan, 1)
			if n := countEndpoints(after); n != tt.total {
				t.Errorf("%d endpoints after the plan, want %d", n, tt.total)
			}
			for _, s := range after {
				if len(s.Endpoints) > 100 {
					t.Errorf("slice %s has %d endpoints", s.Name, len(s.Endpoints))
				}
			}
			// Level-triggered: a second pass over the result changes nothing.
			if again := planSlices(tt.svc, cur, after, nil, 100); !again.empty() {
				t.Errorf("second pass not idempotent: create %d update %d delete %d", len(again.create), len(again.update), len(again.delete))
			}
		})
	}
}

func TestPlanPortsPerPod(t *testing.T) {
	svc := service("web", namedTarget("web"))
	ps := []*corev1.Pod{
		pod("a", "10.42.0.1"),
		pod("b", "10.42.0.2"),
		pod("c", "10.42.0.3", containerPort("web", 9090)),
		pod("d", "10.42.0.4", containerPort("other", 9090)),
	}
	plan := planSlices(svc, ps, nil, nil, 100)
	got := map[string][]string{}
	for _, s := range plan.create {
		key := "none"
		if len(s.Ports) > 0 {
			key = fmt.Sprint(*s.Ports[0].Port)
		}
		for _, ep := range s.Endpoints {
			got[key] = append(got[key], ep.TargetRef.Name)
		}
	}
	want := map[string][]string{"8080": {"a", "b"}, "9090": {"c"}, "none": {"d"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pods by resolved port (-want +got):\n%s", diff)
	}
}

func TestPlanDeletesForeignSlices(t *testing.T) {
	svc := service("web")
	existing := applyPlan(nil, planSlices(svc, pods(3), nil, nil, 100), 0)
	old := existing[0].DeepCopy()
	old.Name = "web-old"
	old.OwnerReferences[0].UID = "uid-of-a-deleted-service"
	v6 := existing[0].DeepCopy()
	v6.Name = "web-v6"
	v6.AddressType = discoveryv1.AddressTypeIPv6
	plan := planSlices(svc, pods(3), append(existing, old, v6), nil, 100)
	var deleted []string
	for _, s := range plan.delete {
		deleted = append(deleted, s.Name)
	}
	slices.Sort(deleted)
	if diff := cmp.Diff([]string{"web-old", "web-v6"}, deleted); diff != "" || len(plan.create)+len(plan.update) != 0 {
		t.Errorf("deleted %v, created %d, updated %d", deleted, len(plan.create), len(plan.update))
	}
}

func TestPlanDualStack(t *testing.T) {
	svc := service("web", func(s *corev1.Service) {
		s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}
	})
	ps := pods(2, func(p *corev1.Pod) {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: "fd00::" + p.Name[len(p.Name)-1:]})
	})
	plan := planSlices(svc, ps, nil, nil, 100)
	types := map[discoveryv1.AddressType]int{}
	for _, s := range plan.create {
		types[s.AddressType] += len(s.Endpoints)
	}
	if types[discoveryv1.AddressTypeIPv4] != 2 || types[discoveryv1.AddressTypeIPv6] != 2 {
		t.Errorf("endpoints per address type: %v", types)
	}
}

func TestPlanHeadless(t *testing.T) {
	svc := service("db", headlessSvc, func(s *corev1.Service) { s.Spec.Ports = nil; s.Spec.Selector = map[string]string{"app": "web"} })
	ps := []*corev1.Pod{pod("db-0", "10.42.0.1", hostname("db-0", "db")), pod("db-1", "10.42.0.2", hostname("db-1", "elsewhere"))}
	plan := planSlices(svc, ps, nil, nil, 100)
	if len(plan.create) != 1 {
		t.Fatalf("want one slice, got %d", len(plan.create))
	}
	s := plan.create[0]
	if _, ok := s.Labels[corev1.IsHeadlessService]; !ok {
		t.Errorf("headless label missing: %v", s.Labels)
	}
	if len(s.Ports) != 0 || len(s.Endpoints) != 2 {
		t.Fatalf("ports %v endpoints %d", s.Ports, len(s.Endpoints))
	}
	if h := s.Endpoints[0].Hostname; h == nil || *h != "db-0" {
		t.Errorf("db-0 hostname = %v", h)
	}
	if h := s.Endpoints[1].Hostname; h != nil {
		t.Errorf("db-1 (other subdomain) hostname = %q", *h)
	}
}

func TestPlanLoweredLimit(t *testing.T) {
	svc := service("web")
	existing := applyPlan(nil, planSlices(svc, pods(100), nil, nil, 100), 0)
	plan := planSlices(svc, pods(100), existing, nil, 40)
	after := applyPlan(existing, plan, 1)
	if diff := cmp.Diff([]int{20, 40, 40}, sizes(after)); diff != "" {
		t.Errorf("sizes after lowering the limit: %s", diff)
	}
}
