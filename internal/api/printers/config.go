package printers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigMaps, Secrets and ServiceAccounts print a count of what they hold.
// Kubernetes emits the counts as integers under columns typed "string".

var configMapColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Data", typeString, corev1.ConfigMap{}.SwaggerDoc()["data"]),
	ageColumn,
}

// configMapCells counts text and binary keys together.
func configMapCells(cm *corev1.ConfigMap, now time.Time) []interface{} {
	return []interface{}{cm.Name, int64(len(cm.Data) + len(cm.BinaryData)), age(cm.CreationTimestamp, now)}
}

var secretColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Type", typeString, corev1.Secret{}.SwaggerDoc()["type"]),
	column("Data", typeString, corev1.Secret{}.SwaggerDoc()["data"]),
	ageColumn,
}

// secretCells counts the secret's keys. Kubernetes folds stringData into
// data when the secret is written; keys still only in StringData are counted
// too, once, so the number matches whichever way the object was stored.
func secretCells(s *corev1.Secret, now time.Time) []interface{} {
	keys := len(s.Data)
	for k := range s.StringData {
		if _, dup := s.Data[k]; !dup {
			keys++
		}
	}
	return []interface{}{s.Name, string(s.Type), int64(keys), age(s.CreationTimestamp, now)}
}

var serviceAccountColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Secrets", typeString, corev1.ServiceAccount{}.SwaggerDoc()["secrets"]),
	ageColumn,
}

// serviceAccountCells counts the secrets listed on the account (0 on
// current clusters, which no longer create token secrets).
func serviceAccountCells(sa *corev1.ServiceAccount, now time.Time) []interface{} {
	return []interface{}{sa.Name, int64(len(sa.Secrets)), age(sa.CreationTimestamp, now)}
}
