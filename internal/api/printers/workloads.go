package printers

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var deploymentColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Ready", typeString, "Number of the pod with ready state"),
	column("Up-to-date", typeString, appsv1.DeploymentStatus{}.SwaggerDoc()["updatedReplicas"]),
	column("Available", typeString, appsv1.DeploymentStatus{}.SwaggerDoc()["availableReplicas"]),
	ageColumn,
	wide("Containers", typeString, containersDoc),
	wide("Images", typeString, imagesDoc),
	wide("Selector", typeString, appsv1.DeploymentSpec{}.SwaggerDoc()["selector"]),
}

// deploymentCells is one row of `kubectl get deployments -o wide`:
// READY is ready/desired.
func deploymentCells(d *appsv1.Deployment, now time.Time) []interface{} {
	names, images := containerCells(d.Spec.Template.Spec.Containers)
	selector := "<invalid>"
	if s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err == nil {
		selector = s.String()
	}
	return []interface{}{
		d.Name,
		fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, replicas(d.Spec.Replicas)),
		int64(d.Status.UpdatedReplicas),
		int64(d.Status.AvailableReplicas),
		age(d.CreationTimestamp, now),
		names, images, selector,
	}
}

var replicaSetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Desired", typeInteger, appsv1.ReplicaSetSpec{}.SwaggerDoc()["replicas"]),
	column("Current", typeInteger, appsv1.ReplicaSetStatus{}.SwaggerDoc()["replicas"]),
	column("Ready", typeInteger, appsv1.ReplicaSetStatus{}.SwaggerDoc()["readyReplicas"]),
	ageColumn,
	wide("Containers", typeString, containersDoc),
	wide("Images", typeString, imagesDoc),
	wide("Selector", typeString, appsv1.ReplicaSetSpec{}.SwaggerDoc()["selector"]),
}

// replicaSetCells is one row of `kubectl get replicasets -o wide`.
func replicaSetCells(rs *appsv1.ReplicaSet, now time.Time) []interface{} {
	names, images := containerCells(rs.Spec.Template.Spec.Containers)
	return []interface{}{
		rs.Name,
		int64(replicas(rs.Spec.Replicas)),
		int64(rs.Status.Replicas),
		int64(rs.Status.ReadyReplicas),
		age(rs.CreationTimestamp, now),
		names, images, metav1.FormatLabelSelector(rs.Spec.Selector),
	}
}

var statefulSetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Ready", typeString, "Number of the pod with ready state"),
	ageColumn,
	wide("Containers", typeString, containersDoc),
	wide("Images", typeString, imagesDoc),
}

// statefulSetCells is one row of `kubectl get statefulsets -o wide`.
func statefulSetCells(ss *appsv1.StatefulSet, now time.Time) []interface{} {
	names, images := containerCells(ss.Spec.Template.Spec.Containers)
	return []interface{}{
		ss.Name,
		fmt.Sprintf("%d/%d", ss.Status.ReadyReplicas, replicas(ss.Spec.Replicas)),
		age(ss.CreationTimestamp, now),
		names, images,
	}
}

var daemonSetStatusDoc = appsv1.DaemonSetStatus{}.SwaggerDoc()

var daemonSetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Desired", typeInteger, daemonSetStatusDoc["desiredNumberScheduled"]),
	column("Current", typeInteger, daemonSetStatusDoc["currentNumberScheduled"]),
	column("Ready", typeInteger, daemonSetStatusDoc["numberReady"]),
	column("Up-to-date", typeInteger, daemonSetStatusDoc["updatedNumberScheduled"]),
	column("Available", typeInteger, daemonSetStatusDoc["numberAvailable"]),
	column("Node Selector", typeString, corev1.PodSpec{}.SwaggerDoc()["nodeSelector"]),
	ageColumn,
	wide("Containers", typeString, containersDoc),
	wide("Images", typeString, imagesDoc),
	wide("Selector", typeString, appsv1.DaemonSetSpec{}.SwaggerDoc()["selector"]),
}

// daemonSetCells is one row of `kubectl get daemonsets -o wide`.
func daemonSetCells(ds *appsv1.DaemonSet, now time.Time) []interface{} {
	names, images := containerCells(ds.Spec.Template.Spec.Containers)
	st := ds.Status
	return []interface{}{
		ds.Name,
		int64(st.DesiredNumberScheduled),
		int64(st.CurrentNumberScheduled),
		int64(st.NumberReady),
		int64(st.UpdatedNumberScheduled),
		int64(st.NumberAvailable),
		labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
		age(ds.CreationTimestamp, now),
		names, images, metav1.FormatLabelSelector(ds.Spec.Selector),
	}
}

var controllerRevisionColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Controller", typeString, "Controller of the object"),
	column("Revision", typeString, appsv1.ControllerRevision{}.SwaggerDoc()["revision"]),
	ageColumn,
}

// controllerRevisionCells is one row of `kubectl get controllerrevisions`:
// the owning controller as "kind.group/name" ("statefulset.apps/web").
func controllerRevisionCells(cr *appsv1.ControllerRevision, now time.Time) []interface{} {
	controller := none
	if ref := metav1.GetControllerOf(cr); ref != nil {
		// An unparsable apiVersion leaves the group empty rather than
		// failing the whole table.
		gv, _ := schema.ParseGroupVersion(ref.APIVersion)
		controller = ref.Name
		if gk := gv.WithKind(ref.Kind).GroupKind(); !gk.Empty() {
			controller = kindName(gk.String(), ref.Name)
		}
	}
	return []interface{}{cr.Name, controller, cr.Revision, age(cr.CreationTimestamp, now)}
}

// replicas reads a replica count; nil (never seen after defaulting) is 0.
func replicas(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
