package serviceaccount

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const testCA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

func TestPlan(t *testing.T) {
	now := metav1.Now()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
	deleting := ns.DeepCopy()
	deleting.DeletionTimestamp = &now
	terminatingPhase := ns.DeepCopy()
	terminatingPhase.Status.Phase = corev1.NamespaceTerminating

	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "team"}}
	goodCM := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: RootCAConfigMapName, Namespace: "team", Annotations: map[string]string{descriptionAnnotation: "x"}},
		Data:       map[string]string{RootCAConfigMapKey: testCA},
	}
	withData := func(data map[string]string) *corev1.ConfigMap {
		cm := goodCM.DeepCopy()
		cm.Data = data
		return cm
	}
	noAnnotation := goodCM.DeepCopy()
	noAnnotation.Annotations = map[string]string{"team/owner": "me"}

	type want struct{ createSA, createCM, updateCM bool }
	tests := []struct {
		name string
		ns   *corev1.Namespace
		sa   *corev1.ServiceAccount
		cm   *corev1.ConfigMap
		want want
	}{
		{"fresh namespace gets both", ns, nil, nil, want{createSA: true, createCM: true}},
		{"all in place", ns, sa, goodCM, want{}},
		{"service account deleted", ns, nil, goodCM, want{createSA: true}},
		{"configmap deleted", ns, sa, nil, want{createCM: true}},
		{"configmap data drifted", ns, sa, withData(map[string]string{RootCAConfigMapKey: "bogus"}), want{updateCM: true}},
		{"configmap key missing", ns, sa, withData(nil), want{updateCM: true}},
		{"configmap has an extra key", ns, sa, withData(map[string]string{RootCAConfigMapKey: testCA, "x": "y"}), want{updateCM: true}},
		{"configmap lost its description", ns, sa, noAnnotation, want{updateCM: true}},
		{"namespace being deleted", deleting, nil, nil, want{}},
		{"namespace in phase Terminating", terminatingPhase, nil, nil, want{}},
		{"namespace gone", nil, nil, nil, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *corev1.ConfigMap
			if tt.cm != nil {
				before = tt.cm.DeepCopy()
			}
			a := plan(tt.ns, tt.sa, tt.cm, []byte(testCA))
			got := want{a.CreateServiceAccount != nil, a.CreateConfigMap != nil, a.UpdateConfigMap != nil}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if a.none() != (got == want{}) {
				t.Error("none() disagrees")
			}
			if s := a.CreateServiceAccount; s != nil && (s.Name != "default" || s.Namespace != "team") {
				t.Errorf("service account = %s/%s", s.Namespace, s.Name)
			}
			for _, cm := range []*corev1.ConfigMap{a.CreateConfigMap, a.UpdateConfigMap} {
				if cm == nil {
					continue
				}
				if cm.Name != RootCAConfigMapName || cm.Namespace != "team" || len(cm.Data) != 1 || cm.Data[RootCAConfigMapKey] != testCA {
					t.Errorf("configmap = %+v", cm)
				}
				if cm.Annotations[descriptionAnnotation] == "" {
					t.Error("description annotation missing")
				}
			}
			if u := a.UpdateConfigMap; u != nil && tt.cm == noAnnotation && u.Annotations["team/owner"] != "me" {
				t.Error("user annotations must be kept")
			}
			if tt.cm != nil && !equalCM(before, tt.cm) {
				t.Error("plan modified its input")
			}
		})
	}
}

func equalCM(a, b *corev1.ConfigMap) bool {
	if len(a.Data) != len(b.Data) || len(a.Annotations) != len(b.Annotations) {
		return false
	}
	for k, v := range a.Data {
		if b.Data[k] != v {
			return false
		}
	}
	for k, v := range a.Annotations {
		if b.Annotations[k] != v {
			return false
		}
	}
	return true
}
