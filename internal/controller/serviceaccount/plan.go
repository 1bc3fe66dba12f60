package serviceaccount

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// DefaultServiceAccountName is the ServiceAccount every namespace gets.
	DefaultServiceAccountName = "default"
	// RootCAConfigMapName is the ConfigMap carrying the cluster CA.
	RootCAConfigMapName = "kube-root-ca.crt"
	// RootCAConfigMapKey is the key of the CA bundle in that ConfigMap.
	RootCAConfigMapKey = "ca.crt"
	// descriptionAnnotation says what the ConfigMap is for, as Kubernetes
	// annotates it.
	descriptionAnnotation = "kubernetes.io/description"
	description           = "CA bundle for verifying the API server when it is reached through in-cluster " +
		"endpoints such as kubernetes.default.svc. No other use is guaranteed."
)

// active: objects may (and should) be created in the namespace.
func active(ns *corev1.Namespace) bool {
	return ns.DeletionTimestamp == nil && ns.Status.Phase != corev1.NamespaceTerminating
}

// actions is what a namespace needs to have its defaults.
type actions struct {
	CreateServiceAccount *corev1.ServiceAccount
	CreateConfigMap      *corev1.ConfigMap
	UpdateConfigMap      *corev1.ConfigMap
}

func (a actions) none() bool {
	return a.CreateServiceAccount == nil && a.CreateConfigMap == nil && a.UpdateConfigMap == nil
}

// plan compares what the namespace has with what it should have. sa and cm
// are nil when absent; cm is never modified.
func plan(ns *corev1.Namespace, sa *corev1.ServiceAccount, cm *corev1.ConfigMap, caPEM []byte) actions {
	var a actions
	if ns == nil || !active(ns) {
		return a
	}
	if sa == nil {
		a.CreateServiceAccount = &corev1.ServiceAccount{
			ObjectMeta: metav1.ObjectMeta{Name: DefaultServiceAccountName, Namespace: ns.Name},
		}
	}
	want := map[string]string{RootCAConfigMapKey: string(caPEM)}
	switch {
	case cm == nil:
		a.CreateConfigMap = &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{
				Name:        RootCAConfigMapName,
				Namespace:   ns.Name,
				Annotations: map[string]string{descriptionAnnotation: description},
			},
			Data: want,
		}
	case !maps.Equal(cm.Data, want) || cm.Annotations[descriptionAnnotation] == "":
		// Extra keys are dropped too: the ConfigMap holds exactly the CA.
		// Other annotations and labels the user added are left alone.
		upd := cm.DeepCopy()
		upd.Data = want
		if upd.Annotations == nil {
			upd.Annotations = map[string]string{}
		}
		if upd.Annotations[descriptionAnnotation] == "" {
			upd.Annotations[descriptionAnnotation] = description
		}
		a.UpdateConfigMap = upd
	}
	return a
}
