package statefulset

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestPlan(t *testing.T) {
	parallel := func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = appsv1.ParallelPodManagement }
	partition := func(n int32) func(*appsv1.StatefulSet) {
		return func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(n) }
	}
	onDelete := func(s *appsv1.StatefulSet) {
		s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
	}
	minReady := func(s *appsv1.StatefulSet) { s.Spec.MinReadySeconds = 10 }
	start := func(n int32) func(*appsv1.StatefulSet) {
		return func(s *appsv1.StatefulSet) { s.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: n} }
	}
	maxUnavailable := func(n int) func(*appsv1.StatefulSet) {
		return func(s *appsv1.StatefulSet) {
			s.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt(n))
		}
	}
	deleting := func(s *appsv1.StatefulSet) { s.DeletionTimestamp = ptr.To(metav1.NewTime(now)) }

	tests := []struct {
		name     string
		replicas int32
		mods     []func(*appsv1.StatefulSet)
		// current and update revisions: "r1", "r2" ("r1" for both when the
		// template did not change).
		update  string
		pods    []*corev1.Pod
		want    string
		waiting bool
	}{
		{name: "ordered: first pod", replicas: 3, want: "create web-0@r1", waiting: true},
		{name: "ordered: next only after ready", replicas: 3, pods: []*corev1.Pod{spod(0, "r1", "running")}, waiting: true},
		{name: "ordered: pending predecessor waits", replicas: 3, pods: []*corev1.Pod{spod(0, "r1", "pending")}, waiting: true},
		{name: "ordered: second after first ready", replicas: 3, pods: []*corev1.Pod{spod(0, "r1", "ready")}, want: "create web-1@r1", waiting: true},
		{name: "ordered: minReadySeconds holds the next", replicas: 3, mods: mods(minReady), pods: []*corev1.Pod{spod(0, "r1", "fresh")}, waiting: true},
		{name: "ordered: gap refilled first", replicas: 3, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(2, "r1", "ready")}, want: "create web-1@r1", waiting: true},
		{name: "ordered: steady", replicas: 3, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}},
		{name: "ordered: failed pod deleted to be recreated", replicas: 2, pods: []*corev1.Pod{spod(0, "r1", "failed"), spod(1, "r1", "ready")}, want: "delete web-0", waiting: true},
		{name: "ordered: terminating pod waited for", replicas: 2, pods: []*corev1.Pod{spod(0, "r1", "terminating"), spod(1, "r1", "ready")}, waiting: true},
		{name: "ordered: scale down from the top, one at a time", replicas: 1, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}, want: "delete web-2", waiting: true},
		{name: "ordered: scale down waits for a terminating one", replicas: 1, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "terminating")}, waiting: true},
		{name: "ordered: scale down waits while a live pod is unhealthy", replicas: 1, pods: []*corev1.Pod{spod(0, "r1", "running"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}, waiting: true},
		{name: "ordered: an unhealthy condemned pod that is the first unhealthy goes", replicas: 1, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "running")}, want: "delete web-2", waiting: true},
		{name: "ordered: a healthy condemned pod above an unhealthy one goes first", replicas: 1, pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "running"), spod(3, "r1", "ready")}, want: "delete web-3", waiting: true},
		{name: "parallel: all at once", replicas: 3, mods: mods(parallel), want: "create web-0@r1; create web-1@r1; create web-2@r1", waiting: true},
		{name: "parallel: failed and missing together", replicas: 3, mods: mods(parallel), pods: []*corev1.Pod{spod(0, "r1", "failed"), spod(1, "r1", "pending")}, want: "delete web-0; create web-2@r1", waiting: true},
		{name: "parallel: scale down all condemned", replicas: 1, mods: mods(parallel), pods: []*corev1.Pod{spod(0, "r1", "pending"), spod(1, "r1", "running"), spod(2, "r1", "ready")}, want: "delete web-2; delete web-1", waiting: true},
		{name: "ordinals.start", replicas: 2, mods: mods(start(5)), pods: []*corev1.Pod{spod(5, "r1", "ready"), spod(0, "r1", "ready")}, want: "create web-6@r1", waiting: true},
		{name: "ordinals.start: below start is condemned", replicas: 2, mods: mods(start(5)), pods: []*corev1.Pod{spod(5, "r1", "ready"), spod(6, "r1", "ready"), spod(0, "r1", "ready")}, want: "delete web-0", waiting: true},
		{name: "rolling update: highest first", replicas: 3, update: "r2", pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}, want: "delete web-2"},
		{name: "rolling update: recreated at the update revision", replicas: 3, update: "r2", pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready")}, want: "create web-2@r2", waiting: true},
		{name: "rolling update: waits for the updated pod", replicas: 3, update: "r2", pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r2", "running")}, waiting: true},
		{name: "rolling update: next one down", replicas: 3, update: "r2", pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r2", "ready")}, want: "delete web-1"},
		{name: "rolling update: partition stops it", replicas: 3, update: "r2", mods: mods(partition(2)), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r2", "ready")}},
		{name: "partition: a recreated pod below it keeps the current revision", replicas: 3, update: "r2", mods: mods(partition(2)), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(2, "r2", "ready")}, want: "create web-1@r1", waiting: true},
		{name: "partition above replicas: nothing updates", replicas: 3, update: "r2", mods: mods(partition(5)), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}},
		{name: "OnDelete: nothing deleted", replicas: 2, update: "r2", mods: mods(onDelete), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready")}},
		{name: "OnDelete: a deleted pod comes back updated", replicas: 2, update: "r2", mods: mods(onDelete), pods: []*corev1.Pod{spod(0, "r1", "ready")}, want: "create web-1@r2", waiting: true},
		{name: "maxUnavailable 2: two at once", replicas: 3, update: "r2", mods: mods(maxUnavailable(2)), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r1", "ready")}, want: "delete web-2; delete web-1"},
		{name: "maxUnavailable 2: one already down", replicas: 3, update: "r2", mods: mods(maxUnavailable(2), parallel), pods: []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "ready"), spod(2, "r2", "running")}, want: "delete web-1"},
		{name: "parallel rolling update goes on while pods are unready elsewhere", replicas: 2, update: "r2", mods: mods(parallel), pods: []*corev1.Pod{spod(0, "r1", "running"), spod(1, "r1", "ready")}, want: "delete web-1"},
		{name: "set being deleted: nothing", replicas: 3, mods: mods(deleting)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := testSet(tt.replicas)
			for _, m := range tt.mods {
				m(set)
			}
			update := tt.update
			if update == "" {
				update = "r1"
			}
			tmpl := &set.Spec.Template
			d := plan(observed{Set: set, Current: "r1", Update: update, CurrentTmpl: tmpl, UpdateTmpl: tmpl, Pods: tt.pods, Now: now})
			if got := describe(d); got != tt.want {
				t.Errorf("actions %q, want %q", got, tt.want)
			}
			if (d.Waiting != "") != tt.waiting {
				t.Errorf("waiting %q, want waiting=%v", d.Waiting, tt.waiting)
			}
		})
	}
}

func mods(m ...func(*appsv1.StatefulSet)) []func(*appsv1.StatefulSet) { return m }

func TestPlanClaims(t *testing.T) {
	claim := func(name string, refs ...metav1.OwnerReference) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, OwnerReferences: refs}}
	}
	setRef := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "web", UID: "set-uid"}
	podRef := func(ord string) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: "web-" + ord, UID: types.UID("uid-web-" + ord)}
	}
	retain, del := appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	ready := func(ords ...int) []*corev1.Pod {
		var out []*corev1.Pod
		for _, o := range ords {
			out = append(out, spod(o, "r1", "ready"))
		}
		return out
	}
	tests := []struct {
		name                    string
		replicas                int32
		whenDeleted, whenScaled appsv1.PersistentVolumeClaimRetentionPolicyType
		pods                    []*corev1.Pod
		claims                  []*corev1.PersistentVolumeClaim
		want                    string
		// owners of the claims the actions write, "claim:kind,kind"
		wantOwners string
		failed     string
	}{
		{name: "claims made with the pod", replicas: 1, whenDeleted: retain, whenScaled: retain, want: "create web-0@r1 +www-web-0", wantOwners: "www-web-0:"},
		{name: "whenDeleted Delete: owned by the set", replicas: 1, whenDeleted: del, whenScaled: retain, want: "create web-0@r1 +www-web-0", wantOwners: "www-web-0:StatefulSet"},
		{name: "existing claim reused", replicas: 2, whenDeleted: retain, whenScaled: retain, pods: ready(0), claims: []*corev1.PersistentVolumeClaim{claim("www-web-0"), claim("www-web-1")}, want: "create web-1@r1"},
		{name: "claim being deleted blocks its pod", replicas: 1, whenDeleted: retain, whenScaled: retain,
			claims: []*corev1.PersistentVolumeClaim{func() *corev1.PersistentVolumeClaim {
				c := claim("www-web-0")
				c.DeletionTimestamp = ptr.To(metav1.NewTime(now))
				return c
			}()}, failed: "web-0: pvc www-web-0 is being deleted"},
		{name: "stale claim of a scaled-down pod blocks the new pod", replicas: 1, whenDeleted: retain, whenScaled: del, claims: []*corev1.PersistentVolumeClaim{claim("www-web-0", podRef("0"))}},
		{name: "pending pod gets its missing claim", replicas: 1, whenDeleted: retain, whenScaled: retain, pods: []*corev1.Pod{spod(0, "r1", "pending")}, want: "create claims web-0 +www-web-0", wantOwners: "www-web-0:"},
		{name: "policy changed to whenDeleted Delete: set reference added", replicas: 1, whenDeleted: del, whenScaled: retain, pods: ready(0), claims: []*corev1.PersistentVolumeClaim{claim("www-web-0")}, want: "set claim owners web-0 +www-web-0", wantOwners: "www-web-0:StatefulSet"},
		{name: "policy back to Retain: set reference removed", replicas: 1, whenDeleted: retain, whenScaled: retain, pods: ready(0), claims: []*corev1.PersistentVolumeClaim{claim("www-web-0", setRef)}, want: "set claim owners web-0 +www-web-0", wantOwners: "www-web-0:"},
		{name: "whenScaled Delete: condemned claim handed to its pod before the pod goes", replicas: 1, whenDeleted: del, whenScaled: del, pods: ready(0, 1),
			claims: []*corev1.PersistentVolumeClaim{claim("www-web-0", setRef), claim("www-web-1", setRef)}, want: "set claim owners web-1 +www-web-1; delete web-1", wantOwners: "www-web-1:Pod"},
		{name: "whenScaled Retain, whenDeleted Delete: condemned claim keeps the set", replicas: 1, whenDeleted: del, whenScaled: retain, pods: ready(0, 1),
			claims: []*corev1.PersistentVolumeClaim{claim("www-web-0", setRef), claim("www-web-1", setRef)}, want: "delete web-1"},
		{name: "whenScaled Delete, whenDeleted Retain", replicas: 1, whenDeleted: retain, whenScaled: del, pods: ready(0, 1),
			claims: []*corev1.PersistentVolumeClaim{claim("www-web-0"), claim("www-web-1")}, want: "set claim owners web-1 +www-web-1; delete web-1", wantOwners: "www-web-1:Pod"},
		{name: "others' references stay", replicas: 1, whenDeleted: del, whenScaled: retain, pods: ready(0),
			claims: []*corev1.PersistentVolumeClaim{claim("www-web-0", metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "x"})}, want: "set claim owners web-0 +www-web-0", wantOwners: "www-web-0:ConfigMap,StatefulSet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := withClaims(testSet(tt.replicas), tt.whenDeleted, tt.whenScaled)
			claims := map[string]*corev1.PersistentVolumeClaim{}
			for _, c := range tt.claims {
				claims[c.Name] = c
			}
			d := plan(observed{Set: set, Current: "r1", Update: "r1", CurrentTmpl: &set.Spec.Template, UpdateTmpl: &set.Spec.Template, Pods: tt.pods, Claims: claims, Now: now})
			if got := describe(d); got != tt.want {
				t.Errorf("actions %q, want %q", got, tt.want)
			}
			var failed []string
			for _, f := range d.FailedCreates {
				failed = append(failed, f.Pod+": "+f.Err)
			}
			if got := strings.Join(failed, "; "); got != tt.failed {
				t.Errorf("failed creations %q, want %q", got, tt.failed)
			}
			var owners []string
			for _, a := range d.Actions {
				for _, c := range a.Claims {
					var kinds []string
					for _, r := range c.OwnerReferences {
						kinds = append(kinds, r.Kind)
					}
					owners = append(owners, c.Name+":"+strings.Join(kinds, ","))
					if c.Labels["app"] != "nginx" && a.Type != setClaimOwners {
						t.Errorf("claim %s labels %v: want the selector's", c.Name, c.Labels)
					}
				}
			}
			if got := strings.Join(owners, " "); got != tt.wantOwners {
				t.Errorf("owners %q, want %q", got, tt.wantOwners)
			}
		})
	}
}

func TestPlanStatus(t *testing.T) {
	set := testSet(3)
	set.Generation = 4
	set.Spec.MinReadySeconds = 10
	tmpl := &set.Spec.Template
	pods := []*corev1.Pod{spod(0, "r1", "ready"), spod(1, "r1", "fresh"), spod(2, "r2", "running")}
	d := plan(observed{Set: set, Current: "r1", Update: "r2", CurrentTmpl: tmpl, UpdateTmpl: tmpl, Pods: pods, Now: now})
	st := d.Status
	want := appsv1.StatefulSetStatus{ObservedGeneration: 4, Replicas: 3, ReadyReplicas: 2, AvailableReplicas: 1, CurrentReplicas: 2, UpdatedReplicas: 1, CurrentRevision: "r1", UpdateRevision: "r2"}
	if st.String() != want.String() {
		t.Errorf("status\n got %+v\nwant %+v", st, want)
	}
	if d.Requeue <= 4*1e9 || d.Requeue > 6*1e9 {
		t.Errorf("requeue %v, want about 5s (web-1 becomes available)", d.Requeue)
	}

	// All updated and ready: the update revision becomes current.
	pods = []*corev1.Pod{spod(0, "r2", "ready"), spod(1, "r2", "ready"), spod(2, "r2", "ready")}
	st = plan(observed{Set: set, Current: "r1", Update: "r2", CurrentTmpl: tmpl, UpdateTmpl: tmpl, Pods: pods, Now: now}).Status
	if st.CurrentRevision != "r2" || st.CurrentReplicas != 3 || st.UpdatedReplicas != 3 {
		t.Errorf("completed rollout: %+v", st)
	}
	// A creation counts at once.
	st = plan(observed{Set: set, Current: "r1", Update: "r1", CurrentTmpl: tmpl, UpdateTmpl: tmpl, Pods: pods[:0], Now: now}).Status
	if st.Replicas != 1 || st.CurrentReplicas != 1 || st.UpdatedReplicas != 1 {
		t.Errorf("after creating web-0: %+v", st)
	}
}
