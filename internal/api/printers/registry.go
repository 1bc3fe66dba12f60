package printers

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"
)

// ForResource returns the table convertor for a resource: the kind's own
// columns for every kind berth knows, NAME and AGE for anything else.
func ForResource(gr schema.GroupResource) rest.TableConvertor {
	if t, ok := tables[gr]; ok {
		return t
	}
	return newFallbackTable(gr)
}

// Resources lists the resources with their own columns, sorted by group
// then resource.
func Resources() []schema.GroupResource {
	out := make([]schema.GroupResource, 0, len(tables))
	for gr := range tables {
		out = append(out, gr)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Resource < out[j].Resource
	})
	return out
}

func gr(gv schema.GroupVersion, resource string) schema.GroupResource {
	return gv.WithResource(resource).GroupResource()
}

var (
	core         = corev1.SchemeGroupVersion
	apps         = appsv1.SchemeGroupVersion
	discovery    = discoveryv1.SchemeGroupVersion
	storage      = storagev1.SchemeGroupVersion
	networking   = networkingv1.SchemeGroupVersion
	coordination = coordinationv1.SchemeGroupVersion
	policy       = policyv1.SchemeGroupVersion
	autoscaling  = autoscalingv1.SchemeGroupVersion
)

// tables maps each resource to its convertor. The convertors hold no
// per-request state, so one instance serves every request.
var tables = map[schema.GroupResource]rest.TableConvertor{
	gr(core, "pods"):                   newTable(gr(core, "pods"), podColumns, podCells).withConditions(podConditions),
	gr(core, "podtemplates"):           newTable(gr(core, "podtemplates"), podTemplateColumns, podTemplateCells),
	gr(core, "services"):               newTable(gr(core, "services"), serviceColumns, serviceCells),
	gr(core, "endpoints"):              newTable(gr(core, "endpoints"), endpointsColumns, endpointsCells),
	gr(core, "namespaces"):             newTable(gr(core, "namespaces"), namespaceColumns, namespaceCells),
	gr(core, "nodes"):                  newTable(gr(core, "nodes"), nodeColumns, nodeCells),
	gr(core, "configmaps"):             newTable(gr(core, "configmaps"), configMapColumns, configMapCells),
	gr(core, "secrets"):                newTable(gr(core, "secrets"), secretColumns, secretCells),
	gr(core, "serviceaccounts"):        newTable(gr(core, "serviceaccounts"), serviceAccountColumns, serviceAccountCells),
	gr(core, "events"):                 newTable(gr(core, "events"), eventColumns, eventCells),
	gr(core, "persistentvolumes"):      newTable(gr(core, "persistentvolumes"), persistentVolumeColumns, persistentVolumeCells),
	gr(core, "persistentvolumeclaims"): newTable(gr(core, "persistentvolumeclaims"), persistentVolumeClaimColumns, persistentVolumeClaimCells),

	gr(apps, "deployments"):         newTable(gr(apps, "deployments"), deploymentColumns, deploymentCells),
	gr(apps, "replicasets"):         newTable(gr(apps, "replicasets"), replicaSetColumns, replicaSetCells),
	gr(apps, "statefulsets"):        newTable(gr(apps, "statefulsets"), statefulSetColumns, statefulSetCells),
	gr(apps, "daemonsets"):          newTable(gr(apps, "daemonsets"), daemonSetColumns, daemonSetCells),
	gr(apps, "controllerrevisions"): newTable(gr(apps, "controllerrevisions"), controllerRevisionColumns, controllerRevisionCells),

	gr(discovery, "endpointslices"):  newTable(gr(discovery, "endpointslices"), endpointSliceColumns, endpointSliceCells),
	gr(storage, "storageclasses"):    newTable(gr(storage, "storageclasses"), storageClassColumns, storageClassCells),
	gr(networking, "ingresses"):      newTable(gr(networking, "ingresses"), ingressColumns, ingressCells),
	gr(networking, "ingressclasses"): newTable(gr(networking, "ingressclasses"), ingressClassColumns, ingressClassCells),
	gr(coordination, "leases"):       newTable(gr(coordination, "leases"), leaseColumns, leaseCells),

	gr(policy, "poddisruptionbudgets"):          newTable(gr(policy, "poddisruptionbudgets"), podDisruptionBudgetColumns, podDisruptionBudgetCells),
	gr(autoscaling, "horizontalpodautoscalers"): newTable(gr(autoscaling, "horizontalpodautoscalers"), horizontalPodAutoscalerColumns, horizontalPodAutoscalerCells),
}
