package volume

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testPV is a PV shaped as the contract's dynamically provisioned one.
func testPV(name, driver, node, size string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Finalizers: []string{"kubernetes.io/pv-protection", FinalizerNodeStorage}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: driver, VolumeHandle: name, FSType: "ext4", VolumeAttributes: map[string]string{AttrNode: node}}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}}}},
		},
	}
}

func TestIsOurs(t *testing.T) {
	pv := testPV("pvc-1", DriverLocalVolume, "n1", "10Mi")
	if !IsOurs(pv, "n1") || IsOurs(pv, "n2") {
		t.Fatal("attribute node")
	}
	delete(pv.Spec.CSI.VolumeAttributes, AttrNode)
	if !IsOurs(pv, "n1") || IsOurs(pv, "n2") {
		t.Fatal("affinity node")
	}
	pv.Spec.CSI.Driver = CSIDriverLocalVolume
	if Driver(pv) != DriverLocalVolume || !IsOurs(pv, "n1") {
		t.Fatal("the API-valid driver name")
	}
	pv.Spec.CSI.Driver = "other.csi"
	if IsOurs(pv, "n1") {
		t.Fatal("foreign driver")
	}
	if IsOurs(&corev1.PersistentVolume{}, "n1") {
		t.Fatal("no csi")
	}
}

func TestPlan(t *testing.T) {
	now := metav1.Now()
	lv := testPV("pvc-1", DriverLocalVolume, "n1", "10Mi")
	deleting := lv.DeepCopy()
	deleting.DeletionTimestamp = &now
	released := deleting.DeepCopy()
	released.Finalizers = WithoutFinalizer(released.Finalizers)
	lp := testPV("pvc-2", DriverLocalPath, "n1", "1Gi")
	for _, tc := range []struct {
		name  string
		pv    *corev1.PersistentVolume
		st    BackingState
		inUse bool
		want  Action
	}{
		{"missing", lv, BackingState{}, false, ActionEnsure},
		{"present", lv, BackingState{Exists: true, Size: 10 << 20}, false, ActionNone},
		{"grown", lv, BackingState{Exists: true, Size: 5 << 20}, true, ActionExpand},
		{"local-path never expands", lp, BackingState{Exists: true}, false, ActionNone},
		{"delete unused", deleting, BackingState{Exists: true}, false, ActionDelete},
		{"delete in use", deleting, BackingState{Exists: true}, true, ActionWaitUnused},
		{"finalizer gone", released, BackingState{}, false, ActionNone},
	} {
		if got := Plan(tc.pv, tc.st, tc.inUse); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestRoundUpMiB(t *testing.T) {
	for in, want := range map[int64]int64{0: 0, 1: 1 << 20, 1 << 20: 1 << 20, 10*1000*1000 + 1: 10 << 20} {
		if got := RoundUpMiB(in); got != want {
			t.Errorf("RoundUpMiB(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestMountFlags(t *testing.T) {
	flags, data := MountFlags([]string{"noatime,ro", "errors=remount-ro", "rw", " nodev "})
	if data != "errors=remount-ro" {
		t.Errorf("data %q", data)
	}
	if flags&0x1 != 0 { // MS_RDONLY cleared by the later rw
		t.Error("rw should clear ro")
	}
	if flags == 0 {
		t.Error("noatime/nodev lost")
	}
}

func TestParseMountInfo(t *testing.T) {
	in := `22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 7:3 / /run/berth/storage/local-volume/pvc-1 rw,noatime - ext4 /dev/loop3 rw
37 22 0:50 /sub /with\040space rw master:2 propagation:x - tmpfs tmpfs rw,size=10k
bad line
`
	ms, err := ParseMountInfo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("got %d mounts", len(ms))
	}
	m, ok := FindMount(ms, "/run/berth/storage/local-volume/pvc-1")
	if !ok || m.Source != "/dev/loop3" || m.FSType != "ext4" {
		t.Fatalf("staging mount: %+v %v", m, ok)
	}
	if ms[2].MountPoint != "/with space" || ms[2].Root != "/sub" || ms[2].FSType != "tmpfs" {
		t.Fatalf("escaped mount: %+v", ms[2])
	}
}

func TestLoopFor(t *testing.T) {
	b := map[string]string{"/dev/loop1": "/a.img", "/dev/loop0": "/a.img (deleted)", "/dev/loop2": "/b.img"}
	got := LoopFor(b, "/a.img")
	if strings.Join(got, ",") != "/dev/loop0,/dev/loop1" {
		t.Fatalf("got %v", got)
	}
}

func TestLayout(t *testing.T) {
	l := Layout{RootDir: "/var/lib/berth/agent", RunDir: "/run/berth"}
	if l.ImagePath("pvc-1") != "/var/lib/berth/agent/storage/local-volume/pvc-1.img" ||
		l.LocalPathDir("pvc-2") != "/var/lib/berth/agent/storage/local-path/pvc-2" ||
		l.StagingDir("pvc-1") != "/run/berth/storage/local-volume/pvc-1" {
		t.Fatal("layout differs from the storage contract")
	}
}
