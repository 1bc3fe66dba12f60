package scheduler

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/berth-project/berth/internal/controller/volume/provisioner"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

func usesClaims(names ...string) podOpt {
	return func(p *corev1.Pod) {
		for _, n := range names {
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: n, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: n}}})
		}
	}
}

func scClass(name, provisioner string, wffc bool) *storagev1.StorageClass {
	mode := storagev1.VolumeBindingImmediate
	if wffc {
		mode = storagev1.VolumeBindingWaitForFirstConsumer
	}
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: &mode}
}

func pvcOf(name, class, size, volume string, modes ...corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: types.UID("uid-" + name)},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &class, VolumeName: volume, AccessModes: modes,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}},
	}
	if volume != "" {
		c.Status.Phase = corev1.ClaimBound
	}
	return c
}

func localPV(name, class, size, node string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			StorageClassName: class, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt"}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{expr(corev1.LabelHostname, corev1.NodeSelectorOpIn, node)}}}}},
		},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable},
	}
}

func withStorage(size string) nodeOpt {
	return func(n *corev1.Node) { n.Status.Allocatable[storageutil.CapacityResource] = resource.MustParse(size) }
}

func snap(pods []*corev1.Pod, claims []*corev1.PersistentVolumeClaim, pvs []*corev1.PersistentVolume, classes ...*storagev1.StorageClass) *volumeSnapshot {
	s := &volumeSnapshot{claims: map[string]*corev1.PersistentVolumeClaim{}, pvs: pvs, classes: map[string]*storagev1.StorageClass{},
		pods: pods, reserved: map[string]int64{}, taken: map[string]bool{}}
	for _, c := range claims {
		s.claims[c.Namespace+"/"+c.Name] = c
	}
	for _, c := range classes {
		s.classes[c.Name] = c
	}
	return s
}

func TestVolumeScheduling(t *testing.T) {
	wffc := scClass("local-path", storageutil.DriverLocalPath, true)
	imm := scClass("fast", storageutil.DriverLocalPath, false)
	static := scClass("local", "kubernetes.io/no-provisioner", true)
	n1 := mkNode("n1", withStorage("10Gi"))
	n2 := mkNode("n2", withStorage("1Gi"))
	nodes := []*corev1.Node{n1, n2}
	eph := mkPod("web", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{}}}}
	})
	tests := []struct {
		name      string
		pod       *corev1.Pod
		others    []*corev1.Pod
		claims    []*corev1.PersistentVolumeClaim
		pvs       []*corev1.PersistentVolume
		wantPre   string
		wantNodes []string // nodes passing the filter
	}{
		{name: "no claims", pod: mkPod("p"), wantNodes: []string{"n1", "n2"}},
		{name: "missing claim", pod: mkPod("p", usesClaims("data")), wantPre: `persistentvolumeclaim "data" not found`},
		{name: "ephemeral claim not yet made", pod: eph, wantPre: `waiting for ephemeral volume controller to create the persistentvolumeclaim "web-scratch"`},
		{name: "ephemeral claim owned by another", pod: eph, claims: []*corev1.PersistentVolumeClaim{pvcOf("web-scratch", "local-path", "1Gi", "")},
			wantPre: "PVC default/web-scratch was not created for pod default/web (pod is not owner)"},
		{name: "unbound immediate", pod: mkPod("p", usesClaims("data")), claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "fast", "1Gi", "")},
			wantPre: msgUnboundImmediate},
		{name: "bound claim pins to the volume's node", pod: mkPod("p", usesClaims("data")),
			claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "local", "1Gi", "pv1")}, pvs: []*corev1.PersistentVolume{localPV("pv1", "local", "1Gi", "n2")},
			wantNodes: []string{"n2"}},
		{name: "bound claim, volume missing", pod: mkPod("p", usesClaims("data")),
			claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "local", "1Gi", "gone")}, wantPre: `persistentvolume "gone" not found`},
		{name: "WFFC provisioning needs free capacity", pod: mkPod("p", usesClaims("data")),
			claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "local-path", "2Gi", "")}, wantNodes: []string{"n1"}},
		{name: "WFFC capacity sums all the pod's claims", pod: mkPod("p", usesClaims("a", "b")),
			claims:    []*corev1.PersistentVolumeClaim{pvcOf("a", "local-path", "6Gi", ""), pvcOf("b", "local-path", "6Gi", "")},
			wantNodes: nil},
		{name: "WFFC static volume decides the node", pod: mkPod("p", usesClaims("data")),
			claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "local", "1Gi", "")}, pvs: []*corev1.PersistentVolume{localPV("pv1", "local", "5Gi", "n2")},
			wantNodes: []string{"n2"}},
		{name: "WFFC static, none left", pod: mkPod("p", usesClaims("data")),
			claims: []*corev1.PersistentVolumeClaim{pvcOf("data", "local", "9Gi", "")}, pvs: []*corev1.PersistentVolume{localPV("pv1", "local", "5Gi", "n2")},
			wantNodes: nil},
		{name: "ReadWriteOncePod in use", pod: mkPod("p", usesClaims("data")), others: []*corev1.Pod{mkPod("q", usesClaims("data"), onNode("n1"))},
			claims:  []*corev1.PersistentVolumeClaim{pvcOf("data", "local-path", "1Gi", "pv1", corev1.ReadWriteOncePod)},
			pvs:     []*corev1.PersistentVolume{localPV("pv1", "local-path", "1Gi", "n1")},
			wantPre: msgRWOPConflict},
		{name: "ReadWriteOncePod, user finished", pod: mkPod("p", usesClaims("data")), others: []*corev1.Pod{mkPod("q", usesClaims("data"), onNode("n1"), phase(corev1.PodSucceeded))},
			claims:    []*corev1.PersistentVolumeClaim{pvcOf("data", "local-path", "1Gi", "pv1", corev1.ReadWriteOncePod)},
			pvs:       []*corev1.PersistentVolume{localPV("pv1", "local-path", "1Gi", "n1")},
			wantNodes: []string{"n1"}},
		{name: "ReadWriteOnce follows the pod already using it", pod: mkPod("p", usesClaims("data")), others: []*corev1.Pod{mkPod("q", usesClaims("data"), onNode("n2"))},
			claims:    []*corev1.PersistentVolumeClaim{pvcOf("data", "nfs", "1Gi", "pv1")},
			pvs:       []*corev1.PersistentVolume{{ObjectMeta: metav1.ObjectMeta{Name: "pv1"}}},
			wantNodes: []string{"n2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snap(append(tt.others, tt.pod), tt.claims, tt.pvs, wffc, imm, static)
			vols, msg := preFilterVolumes(tt.pod, s)
			if msg != tt.wantPre {
				t.Fatalf("prefilter %q, want %q", msg, tt.wantPre)
			}
			if msg != "" {
				return
			}
			var got []string
			for _, n := range nodes {
				if len(vols.filter(n)) == 0 {
					got = append(got, n.Name)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.wantNodes, ",") {
				t.Errorf("nodes %v, want %v", got, tt.wantNodes)
			}
		})
	}
}

func TestFitErrorPreFilter(t *testing.T) {
	e := &fitError{NumNodes: 3, PreFilter: msgUnboundImmediate}
	if got := e.Error(); got != "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims." {
		t.Error(got)
	}
}

// TestWaitForFirstConsumerFlow: the scheduler picks the node with room,
// writes selected-node on the claim, and binds the pod only once the claim
// is Bound.
func TestWaitForFirstConsumerFlow(t *testing.T) {
	wffc := scClass("local-path", storageutil.DriverLocalPath, true)
	claim := pvcOf("data", "local-path", "5Gi", "")
	objs := []runtime.Object{mkNode("n1", withStorage("1Gi")), mkNode("n2", withStorage("10Gi")), wffc, claim, mkPod("p", usesClaims("data"))}
	client, ctx := startScheduler(t, Options{VolumeBinding: true}, objs...)
	var selected string
	eventually(t, "selected-node", func() bool {
		c, err := client.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
		selected = c.Annotations[storageutil.AnnSelectedNode]
		return err == nil && selected != ""
	})
	if selected != "n2" {
		t.Fatalf("selected %q, want n2 (the only node with room)", selected)
	}
	if getPod(ctx, client, "p").Spec.NodeName != "" {
		t.Fatal("pod bound before its claim")
	}
	// What the provisioner and binder do.
	c, _ := client.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
	pv := provisioner.VolumeFor(c, wffc, selected)
	if _, err := client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Spec.VolumeName = pv.Name
	c.Status.Phase = corev1.ClaimBound
	if _, err := client.CoreV1().PersistentVolumeClaims("default").Update(context.Background(), c, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pod bound", func() bool { return getPod(ctx, client, "p").Spec.NodeName == "n2" })
}
