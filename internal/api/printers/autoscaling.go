package printers

import (
	"fmt"
	"strconv"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var podDisruptionBudgetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Min Available", typeString, "The minimum number of pods that must be available."),
	column("Max Unavailable", typeString, "The maximum number of pods that may be unavailable."),
	column("Allowed Disruptions", typeInteger, "Calculated number of pods that may be disrupted at this time."),
	ageColumn,
}

// podDisruptionBudgetCells is one row of `kubectl get pdb`; the bound that
// is not set prints N/A.
func podDisruptionBudgetCells(pdb *policyv1.PodDisruptionBudget, now time.Time) []interface{} {
	minAvailable, maxUnavailable := "N/A", "N/A"
	if pdb.Spec.MinAvailable != nil {
		minAvailable = pdb.Spec.MinAvailable.String()
	}
	if pdb.Spec.MaxUnavailable != nil {
		maxUnavailable = pdb.Spec.MaxUnavailable.String()
	}
	return []interface{}{pdb.Name, minAvailable, maxUnavailable, int64(pdb.Status.DisruptionsAllowed), age(pdb.CreationTimestamp, now)}
}

var hpaSpecDoc = autoscalingv1.HorizontalPodAutoscalerSpec{}.SwaggerDoc()

var horizontalPodAutoscalerColumns = []metav1.TableColumnDefinition{
	nameColumn,
	column("Reference", typeString, hpaSpecDoc["scaleTargetRef"]),
	column("Targets", typeString, "metrics contains the specifications for which to use to calculate the desired replica count"),
	column("MinPods", typeString, hpaSpecDoc["minReplicas"]),
	column("MaxPods", typeString, hpaSpecDoc["maxReplicas"]),
	column("Replicas", typeString, autoscalingv1.HorizontalPodAutoscalerStatus{}.SwaggerDoc()["currentReplicas"]),
	ageColumn,
}

// defaultCPUTarget is the CPU utilisation an autoscaler without an explicit
// target aims for; Kubernetes fills it in when it stores the object.
const defaultCPUTarget = 80

// horizontalPodAutoscalerCells is one row of `kubectl get hpa`. The v1 API
// only knows a CPU utilisation target, printed "cpu: 45%/80%" (or
// "cpu: <unknown>/80%" before metrics arrive).
func horizontalPodAutoscalerCells(hpa *autoscalingv1.HorizontalPodAutoscaler, now time.Time) []interface{} {
	target := int32(defaultCPUTarget)
	if hpa.Spec.TargetCPUUtilizationPercentage != nil {
		target = *hpa.Spec.TargetCPUUtilizationPercentage
	}
	current := unknown
	if c := hpa.Status.CurrentCPUUtilizationPercentage; c != nil {
		current = fmt.Sprintf("%d%%", *c)
	}
	minPods := unset
	if hpa.Spec.MinReplicas != nil {
		minPods = strconv.Itoa(int(*hpa.Spec.MinReplicas))
	}
	return []interface{}{
		hpa.Name,
		hpa.Spec.ScaleTargetRef.Kind + "/" + hpa.Spec.ScaleTargetRef.Name,
		fmt.Sprintf("cpu: %s/%d%%", current, target),
		minPods,
		int64(hpa.Spec.MaxReplicas),
		int64(hpa.Status.CurrentReplicas),
		age(hpa.CreationTimestamp, now),
	}
}
