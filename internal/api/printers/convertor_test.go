package printers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// pinnedPodTable is the pod convertor with its clock fixed at now.
func pinnedPodTable() *kindTable[*corev1.Pod] {
	t := newTable(gr(core, "pods"), podColumns, podCells).withConditions(podConditions)
	t.now = func() time.Time { return now }
	return t
}

func TestConvertList(t *testing.T) {
	remaining := int64(7)
	list := &corev1.PodList{
		ListMeta: metav1.ListMeta{ResourceVersion: "4242", Continue: "next-page", RemainingItemCount: &remaining},
		Items: []corev1.Pod{
			*basePod(corev1.PodRunning, running(true, 0)),
			*basePod(corev1.PodSucceeded, terminated("Completed", 0, 0)),
		},
	}
	list.Items[1].Name = "job"

	table, err := pinnedPodTable().ConvertToTable(context.Background(), list, &metav1.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if table.ResourceVersion != "4242" || table.Continue != "next-page" || table.RemainingItemCount == nil || *table.RemainingItemCount != 7 {
		t.Errorf("list meta not copied: %+v", table.ListMeta)
	}
	if len(table.ColumnDefinitions) != 9 {
		t.Fatalf("got %d columns, want 9", len(table.ColumnDefinitions))
	}
	var plain, wideCols []string
	for _, c := range table.ColumnDefinitions {
		if c.Priority == 0 {
			plain = append(plain, c.Name)
		} else {
			wideCols = append(wideCols, c.Name)
		}
	}
	if got := strings.Join(plain, ","); got != "Name,Ready,Status,Restarts,Age" {
		t.Errorf("plain columns: %s", got)
	}
	if got := strings.Join(wideCols, ","); got != "IP,Node,Nominated Node,Readiness Gates" {
		t.Errorf("wide columns: %s", got)
	}
	if table.ColumnDefinitions[0].Format != "name" {
		t.Errorf("NAME column format %q, want name", table.ColumnDefinitions[0].Format)
	}
	if len(table.Rows) != 2 {
		t.Fatalf("got %d rows", len(table.Rows))
	}
	if table.Rows[0].Cells[0] != "web" || table.Rows[1].Cells[0] != "job" || table.Rows[1].Cells[2] != "Completed" {
		t.Errorf("rows out of order or wrong: %v / %v", table.Rows[0].Cells, table.Rows[1].Cells)
	}
	// The row carries the item itself, which the API server trims to
	// PartialObjectMetadata when kubectl asks for includeObject=Metadata.
	if table.Rows[1].Object.Object != &list.Items[1] {
		t.Errorf("row object is %p, want the list item %p", table.Rows[1].Object.Object, &list.Items[1])
	}
	if table.Rows[0].Conditions != nil || len(table.Rows[1].Conditions) != 1 {
		t.Errorf("conditions: running %v, succeeded %v", table.Rows[0].Conditions, table.Rows[1].Conditions)
	}
}

func TestConvertSingleObjectAndNoHeaders(t *testing.T) {
	pod := basePod(corev1.PodRunning, running(true, 0))
	pod.ResourceVersion = "17"
	table, err := pinnedPodTable().ConvertToTable(context.Background(), pod, &metav1.TableOptions{NoHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	if table.ColumnDefinitions != nil {
		t.Errorf("NoHeaders: got %d column definitions, want none", len(table.ColumnDefinitions))
	}
	if table.ResourceVersion != "17" || table.Continue != "" {
		t.Errorf("single object list meta: %+v", table.ListMeta)
	}
	if len(table.Rows) != 1 || table.Rows[0].Object.Object != pod || len(table.Rows[0].Cells) != len(podColumns) {
		t.Fatalf("rows: %+v", table.Rows)
	}
	if table.Rows[0].Cells[4] != "10m" {
		t.Errorf("age from pinned clock: got %v", table.Rows[0].Cells[4])
	}

	// No options at all means headers.
	table, err = pinnedPodTable().ConvertToTable(context.Background(), pod, nil)
	if err != nil || len(table.ColumnDefinitions) != len(podColumns) {
		t.Errorf("nil options: err %v, %d columns", err, len(table.ColumnDefinitions))
	}
}

func TestConvertEmptyListEncodesEmptyRows(t *testing.T) {
	table, err := ForResource(gr(core, "pods")).ConvertToTable(context.Background(), &corev1.PodList{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(table)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"rows":[]`) {
		t.Errorf("empty list encodes as %s, want rows: []", out)
	}
}

func TestConvertWrongTypeIsNotAcceptable(t *testing.T) {
	_, err := ForResource(gr(core, "pods")).ConvertToTable(context.Background(), &corev1.Service{}, nil)
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Code != http.StatusNotAcceptable {
		t.Fatalf("got %v, want a 406 status error", err)
	}
	if !strings.Contains(err.Error(), "pods") {
		t.Errorf("error does not name the resource: %v", err)
	}
}

func TestFallbackPrintsNameAndAge(t *testing.T) {
	gr := schema.GroupResource{Group: "example.com", Resource: "widgets"}
	conv := newFallbackTable(gr)
	conv.now = func() time.Time { return now }

	u := &unstructured.Unstructured{}
	u.SetName("w1")
	u.SetCreationTimestamp(ago(90 * time.Minute))
	list := &unstructured.UnstructuredList{Items: []unstructured.Unstructured{*u}}
	list.SetResourceVersion("9")

	table, err := conv.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.ColumnDefinitions) != 2 || table.ColumnDefinitions[0].Name != "Name" || table.ColumnDefinitions[1].Name != "Age" {
		t.Errorf("columns: %+v", table.ColumnDefinitions)
	}
	checkCells(t, 2, table.Rows[0].Cells, row{"w1", "90m"})
	if table.ResourceVersion != "9" {
		t.Errorf("resource version %q", table.ResourceVersion)
	}

	// Typed objects work too, and ForResource hands out the fallback for
	// anything it does not know.
	table, err = ForResource(gr).ConvertToTable(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, nil)
	if err != nil || table.Rows[0].Cells[0] != "cm" || table.Rows[0].Cells[1] != "<unknown>" {
		t.Errorf("typed object through fallback: %v %+v", err, table)
	}
}

// TestEveryServedKindHasMatchingColumns converts an empty object of every
// kind the server serves and checks that each row has one cell per column
// and a NAME column, and that plain printing keeps the kubectl columns.
func TestEveryServedKindHasMatchingColumns(t *testing.T) {
	objects := map[schema.GroupResource]runtime.Object{
		gr(core, "pods"):                            &corev1.Pod{},
		gr(core, "podtemplates"):                    &corev1.PodTemplate{},
		gr(core, "services"):                        &corev1.Service{},
		gr(core, "endpoints"):                       &corev1.Endpoints{},
		gr(core, "namespaces"):                      &corev1.Namespace{},
		gr(core, "nodes"):                           &corev1.Node{},
		gr(core, "configmaps"):                      &corev1.ConfigMap{},
		gr(core, "secrets"):                         &corev1.Secret{},
		gr(core, "serviceaccounts"):                 &corev1.ServiceAccount{},
		gr(core, "events"):                          &corev1.Event{},
		gr(core, "persistentvolumes"):               &corev1.PersistentVolume{},
		gr(core, "persistentvolumeclaims"):          &corev1.PersistentVolumeClaim{},
		gr(apps, "deployments"):                     &appsv1.Deployment{},
		gr(apps, "replicasets"):                     &appsv1.ReplicaSet{},
		gr(apps, "statefulsets"):                    &appsv1.StatefulSet{},
		gr(apps, "daemonsets"):                      &appsv1.DaemonSet{},
		gr(apps, "controllerrevisions"):             &appsv1.ControllerRevision{},
		gr(discovery, "endpointslices"):             &discoveryv1.EndpointSlice{},
		gr(storage, "storageclasses"):               &storagev1.StorageClass{},
		gr(networking, "ingresses"):                 &networkingv1.Ingress{},
		gr(networking, "ingressclasses"):            &networkingv1.IngressClass{},
		gr(coordination, "leases"):                  &coordinationv1.Lease{},
		gr(policy, "poddisruptionbudgets"):          &policyv1.PodDisruptionBudget{},
		gr(autoscaling, "horizontalpodautoscalers"): &autoscalingv1.HorizontalPodAutoscaler{},
	}
	if len(Resources()) != len(objects) {
		t.Errorf("Resources() lists %d resources, test covers %d", len(Resources()), len(objects))
	}
	for _, res := range Resources() {
		obj, ok := objects[res]
		if !ok {
			t.Errorf("%s: no test object", res)
			continue
		}
		table, err := ForResource(res).ConvertToTable(context.Background(), obj, nil)
		if err != nil {
			t.Errorf("%s: %v", res, err)
			continue
		}
		if len(table.Rows) != 1 || len(table.Rows[0].Cells) != len(table.ColumnDefinitions) {
			t.Errorf("%s: %d cells for %d columns", res, len(table.Rows[0].Cells), len(table.ColumnDefinitions))
		}
		names := 0
		for _, c := range table.ColumnDefinitions {
			if c.Format == "name" {
				names++
				if c.Name != "Name" {
					t.Errorf("%s: name-format column called %q", res, c.Name)
				}
			}
			if c.Description == "" {
				t.Errorf("%s: column %q has no description", res, c.Name)
			}
		}
		if names != 1 {
			t.Errorf("%s: %d name-format columns, want 1", res, names)
		}
	}
}

// TestPlainColumns pins the headers plain `kubectl get` prints for the main
// kinds (kubectl upper-cases the names).
func TestPlainColumns(t *testing.T) {
	tests := map[string]string{
		"services":               "Name,Type,Cluster-IP,External-IP,Port(s),Age",
		"persistentvolumeclaims": "Name,Status,Volume,Capacity,Access Modes,StorageClass,VolumeAttributesClass,Age",
		"persistentvolumes":      "Name,Capacity,Access Modes,Reclaim Policy,Status,Claim,StorageClass,VolumeAttributesClass,Reason,Age",
		"nodes":                  "Name,Status,Roles,Age,Version",
		"events":                 "Last Seen,Type,Reason,Object,Message",
	}
	for res, want := range tests {
		table, err := ForResource(gr(core, res)).ConvertToTable(context.Background(), &metav1.List{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range table.ColumnDefinitions {
			if c.Priority == 0 {
				got = append(got, c.Name)
			}
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: got %s, want %s", res, strings.Join(got, ","), want)
		}
	}
	deploy, _ := ForResource(gr(apps, "deployments")).ConvertToTable(context.Background(), &appsv1.DeploymentList{}, nil)
	var got []string
	for _, c := range deploy.ColumnDefinitions {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != "Name,Ready,Up-to-date,Available,Age,Containers,Images,Selector" {
		t.Errorf("deployments: %v", got)
	}
}
