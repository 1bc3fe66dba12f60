package printers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Pod templates print without an AGE column, as in Kubernetes.
var podTemplateColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Containers", typeString, containersDoc),
	column("Images", typeString, imagesDoc),
	column("Pod Labels", typeString, "The labels for the pod template."),
}

// podTemplateCells is one row of `kubectl get podtemplates`.
func podTemplateCells(t *corev1.PodTemplate, _ time.Time) []interface{} {
	names, images := containerCells(t.Template.Spec.Containers)
	return []interface{}{t.Name, names, images, labels.FormatLabels(t.Template.Labels)}
}
