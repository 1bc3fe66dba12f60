package statefulset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func TestParentAndOrdinal(t *testing.T) {
	for _, tt := range []struct {
		name   string
		parent string
		ord    int
	}{
		{"web-0", "web", 0},
		{"web-12", "web", 12},
		{"my-db-3", "my-db", 3},
		{"web", "", -1},
		{"web-", "", -1},
		{"web-x", "", -1},
	} {
		if p, o := parentAndOrdinal(tt.name); p != tt.parent || o != tt.ord {
			t.Errorf("%s: %q %d, want %q %d", tt.name, p, o, tt.parent, tt.ord)
		}
	}
	set := testSet(2)
	if !isMember(set, spod(7, "r", "ready")) || isMember(set, &corev1.Pod{}) {
		t.Error("isMember")
	}
}

func TestNewPod(t *testing.T) {
	set := withClaims(testSet(3), appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.RetainPersistentVolumeClaimRetentionPolicyType)
	set.Spec.Template.Spec.Volumes = []corev1.Volume{
		{Name: "www", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}, // replaced by the claim
		{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
	}
	p := newPod(set, &set.Spec.Template, "web-abc", 2)
	if p.Name != "web-2" || p.Namespace != "ns" || p.Spec.Hostname != "web-2" || p.Spec.Subdomain != "nginx" {
		t.Errorf("identity: %s/%s host %s sub %s", p.Namespace, p.Name, p.Spec.Hostname, p.Spec.Subdomain)
	}
	want := map[string]string{"app": "nginx", podNameLabel: "web-2", podIndexLabel: "2", revisionLabel: "web-abc"}
	for k, v := range want {
		if p.Labels[k] != v {
			t.Errorf("label %s=%q, want %q", k, p.Labels[k], v)
		}
	}
	if ref := p.OwnerReferences; len(ref) != 1 || ref[0].Kind != "StatefulSet" || ref[0].UID != set.UID || !*ref[0].Controller {
		t.Errorf("owner %+v", ref)
	}
	if v := p.Spec.Volumes; len(v) != 2 || v[0].Name != "www" || v[0].PersistentVolumeClaim == nil || v[0].PersistentVolumeClaim.ClaimName != "www-web-2" || v[1].Name != "config" {
		t.Errorf("volumes %+v", v)
	}
	if set.Spec.Template.Labels[podNameLabel] != "" || set.Spec.Template.Spec.Hostname != "" {
		t.Error("the template was modified")
	}
	if !identityMatches(set, p) {
		t.Error("a new pod must match its identity")
	}
	p.Labels[podIndexLabel] = "1"
	if identityMatches(set, p) {
		t.Error("a wrong pod-index label must not match")
	}
	if l := identityLabels(p); l[podIndexLabel] != "2" || l[podNameLabel] != "web-2" {
		t.Errorf("identity labels %v", l)
	}
}

func TestNewClaim(t *testing.T) {
	set := withClaims(testSet(3), appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.RetainPersistentVolumeClaimRetentionPolicyType)
	c := newClaim(set, &set.Spec.VolumeClaimTemplates[0], 1)
	if c.Name != "www-web-1" || c.Namespace != "ns" || c.Labels["app"] != "nginx" || c.Labels["tier"] != "data" {
		t.Errorf("claim %s/%s labels %v", c.Namespace, c.Name, c.Labels)
	}
	if c.Spec.Resources.Requests.Storage().String() != "1Gi" || c.Spec.AccessModes[0] != corev1.ReadWriteOnce {
		t.Errorf("spec %+v", c.Spec)
	}
	set.Spec.VolumeClaimTemplates[0].Labels = nil
	if c := newClaim(set, &set.Spec.VolumeClaimTemplates[0], 0); c.Labels["app"] != "nginx" {
		t.Errorf("selector labels without template labels: %v", c.Labels)
	}
	if set.Spec.Selector.MatchLabels["tier"] != "" {
		t.Error("selector modified")
	}
}
