package binder

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

type pvOpt func(*corev1.PersistentVolume)

func mkPV(name, size, class string, opts ...pvOpt) *corev1.PersistentVolume {
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName:              class,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
		},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable},
	}
	for _, o := range opts {
		o(pv)
	}
	return pv
}

func refTo(ns, name, uid string) pvOpt {
	return func(pv *corev1.PersistentVolume) {
		pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: ns, Name: name, UID: types.UID(uid)}
	}
}
func modes(m ...corev1.PersistentVolumeAccessMode) pvOpt {
	return func(pv *corev1.PersistentVolume) { pv.Spec.AccessModes = m }
}
func pvLabels(k, v string) pvOpt {
	return func(pv *corev1.PersistentVolume) { pv.Labels = map[string]string{k: v} }
}
func block(pv *corev1.PersistentVolume) {
	m := corev1.PersistentVolumeBlock
	pv.Spec.VolumeMode = &m
}
func phase(p corev1.PersistentVolumePhase) pvOpt {
	return func(pv *corev1.PersistentVolume) { pv.Status.Phase = p }
}
func policy(p corev1.PersistentVolumeReclaimPolicy) pvOpt {
	return func(pv *corev1.PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = p }
}
func ann(k, v string) pvOpt { return func(pv *corev1.PersistentVolume) { pv.Annotations[k] = v } }

type claimOpt func(*corev1.PersistentVolumeClaim)

func mkClaim(name, size, class string, opts ...claimOpt) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name), Annotations: map[string]string{}},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
			StorageClassName: &class,
		},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func volumeName(n string) claimOpt {
	return func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeName = n }
}
func bound(c *corev1.PersistentVolumeClaim) { c.Annotations[storageutil.AnnBindCompleted] = "yes" }
func claimAnn(k, v string) claimOpt {
	return func(c *corev1.PersistentVolumeClaim) { c.Annotations[k] = v }
}
func selector(k, v string) claimOpt {
	return func(c *corev1.PersistentVolumeClaim) {
		c.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{k: v}}
	}
}
func claimModes(m ...corev1.PersistentVolumeAccessMode) claimOpt {
	return func(c *corev1.PersistentVolumeClaim) { c.Spec.AccessModes = m }
}

func mkClass(name, provisioner string, wffc bool) *storagev1.StorageClass {
	mode := storagev1.VolumeBindingImmediate
	if wffc {
		mode = storagev1.VolumeBindingWaitForFirstConsumer
	}
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: &mode}
}

func TestDecideClaim(t *testing.T) {
	fast := mkClass("fast", "berth.dev/local-path", false)
	wffc := mkClass("fast", "berth.dev/local-path", true)
	tests := []struct {
		name      string
		claim     *corev1.PersistentVolumeClaim
		pvs       []*corev1.PersistentVolume
		class     *storagev1.StorageClass
		wantBind  string
		wantPhase corev1.PersistentVolumeClaimPhase
		wantEvent string
		wantProv  string
	}{
		{name: "smallest fit wins", claim: mkClaim("c", "1Gi", ""),
			pvs:      []*corev1.PersistentVolume{mkPV("big", "10Gi", ""), mkPV("small", "2Gi", ""), mkPV("tiny", "500Mi", "")},
			wantBind: "small"},
		{name: "class must match", claim: mkClaim("c", "1Gi", "gold"),
			pvs: []*corev1.PersistentVolume{mkPV("a", "2Gi", "")}, wantPhase: corev1.ClaimPending, wantEvent: ReasonProvisioningFailed},
		{name: "access modes: volume's must include claim's", claim: mkClaim("c", "1Gi", "", claimModes(corev1.ReadWriteMany)),
			pvs:      []*corev1.PersistentVolume{mkPV("rwo", "2Gi", ""), mkPV("rwx", "5Gi", "", modes(corev1.ReadWriteOnce, corev1.ReadWriteMany))},
			wantBind: "rwx"},
		{name: "volume mode must match", claim: mkClaim("c", "1Gi", ""),
			pvs: []*corev1.PersistentVolume{mkPV("blk", "2Gi", "", block)}, wantPhase: corev1.ClaimPending, wantEvent: ReasonFailedBinding},
		{name: "selector", claim: mkClaim("c", "1Gi", "", selector("tier", "db")),
			pvs:      []*corev1.PersistentVolume{mkPV("a", "2Gi", ""), mkPV("b", "9Gi", "", pvLabels("tier", "db"))},
			wantBind: "b"},
		{name: "volume pre-bound to another claim is skipped", claim: mkClaim("c", "1Gi", ""),
			pvs: []*corev1.PersistentVolume{mkPV("a", "2Gi", "", refTo("ns", "other", ""))}, wantPhase: corev1.ClaimPending, wantEvent: ReasonFailedBinding},
		{name: "volume pre-bound to this claim wins over a smaller one", claim: mkClaim("c", "1Gi", ""),
			pvs:      []*corev1.PersistentVolume{mkPV("a", "2Gi", ""), mkPV("pre", "9Gi", "", refTo("ns", "c", ""))},
			wantBind: "pre"},
		{name: "released volumes are not reused", claim: mkClaim("c", "1Gi", ""),
			pvs: []*corev1.PersistentVolume{mkPV("a", "2Gi", "", phase(corev1.VolumeReleased))}, wantPhase: corev1.ClaimPending, wantEvent: ReasonFailedBinding},
		{name: "claim.spec.volumeName binds that volume", claim: mkClaim("c", "1Gi", "", volumeName("b")),
			pvs: []*corev1.PersistentVolume{mkPV("a", "1Gi", ""), mkPV("b", "5Gi", "")}, wantBind: "b"},
		{name: "requested volume too small", claim: mkClaim("c", "5Gi", "", volumeName("a")),
			pvs: []*corev1.PersistentVolume{mkPV("a", "1Gi", "")}, wantPhase: corev1.ClaimPending, wantEvent: ReasonFailedBinding},
		{name: "requested volume taken", claim: mkClaim("c", "1Gi", "", volumeName("a")),
			pvs: []*corev1.PersistentVolume{mkPV("a", "1Gi", "", refTo("ns", "x", "uid-x"))}, wantPhase: corev1.ClaimPending, wantEvent: ReasonFailedBinding},
		{name: "requested volume missing waits", claim: mkClaim("c", "1Gi", "", volumeName("a")), wantPhase: corev1.ClaimPending},
		{name: "provisioning: annotate the provisioner", claim: mkClaim("c", "1Gi", "fast"), class: fast,
			wantPhase: corev1.ClaimPending, wantEvent: ReasonExternalProvisioning, wantProv: "berth.dev/local-path"},
		{name: "provisioning already annotated: quiet", claim: mkClaim("c", "1Gi", "fast",
			claimAnn(storageutil.AnnStorageProvisioner, "berth.dev/local-path"), claimAnn(storageutil.AnnBetaStorageProvisioner, "berth.dev/local-path")),
			class: fast, wantPhase: corev1.ClaimPending},
		{name: "wait for first consumer", claim: mkClaim("c", "1Gi", "fast"), class: wffc,
			pvs: []*corev1.PersistentVolume{mkPV("a", "2Gi", "fast")}, wantPhase: corev1.ClaimPending, wantEvent: ReasonWaitForFirstConsumer},
		{name: "selected node: provision", claim: mkClaim("c", "1Gi", "fast", claimAnn(storageutil.AnnSelectedNode, "n1")), class: wffc,
			wantPhase: corev1.ClaimPending, wantEvent: ReasonExternalProvisioning, wantProv: "berth.dev/local-path"},
		{name: "unknown class", claim: mkClaim("c", "1Gi", "nope"), wantPhase: corev1.ClaimPending, wantEvent: ReasonProvisioningFailed},
		{name: "bound claim, volume bound to it", claim: mkClaim("c", "1Gi", "", volumeName("a"), bound),
			pvs: []*corev1.PersistentVolume{mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"))}, wantBind: "a"},
		{name: "bound claim, volume gone", claim: mkClaim("c", "1Gi", "", volumeName("a"), bound),
			wantPhase: corev1.ClaimLost, wantEvent: ReasonClaimLost},
		{name: "bound claim, volume bound elsewhere", claim: mkClaim("c", "1Gi", "", volumeName("a"), bound),
			pvs: []*corev1.PersistentVolume{mkPV("a", "1Gi", "", refTo("ns", "x", "uid-x"))}, wantPhase: corev1.ClaimLost, wantEvent: ReasonClaimMisbound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DecideClaim(tt.claim, tt.pvs, tt.class)
			gotBind := ""
			if d.Bind != nil {
				gotBind = d.Bind.Name
			}
			gotEvent := ""
			if d.Event != nil {
				gotEvent = d.Event.Reason
			}
			if gotBind != tt.wantBind || d.Phase != tt.wantPhase || gotEvent != tt.wantEvent || d.Provisioner != tt.wantProv {
				t.Errorf("got bind=%q phase=%q event=%q prov=%q, want bind=%q phase=%q event=%q prov=%q",
					gotBind, d.Phase, gotEvent, d.Provisioner, tt.wantBind, tt.wantPhase, tt.wantEvent, tt.wantProv)
			}
		})
	}
}

func TestDecideVolume(t *testing.T) {
	claimC := mkClaim("c", "1Gi", "", volumeName("a"), bound)
	ours := ann(storageutil.AnnProvisionedBy, storageutil.DriverLocalPath)
	tests := []struct {
		name  string
		pv    *corev1.PersistentVolume
		claim *corev1.PersistentVolumeClaim
		want  VolumeDecision
	}{
		{"unbound is available", mkPV("a", "1Gi", "", phase(corev1.VolumePending)), nil, VolumeDecision{Phase: corev1.VolumeAvailable}},
		{"pre-bound without uid is available", mkPV("a", "1Gi", "", refTo("ns", "c", "")), nil, VolumeDecision{Phase: corev1.VolumeAvailable}},
		{"bound", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c")), claimC, VolumeDecision{Phase: corev1.VolumeBound}},
		{"claim not yet bound: wait", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c")), mkClaim("c", "1Gi", ""), VolumeDecision{}},
		{"claim gone: released", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"), phase(corev1.VolumeBound)), nil, VolumeDecision{Phase: corev1.VolumeReleased}},
		{"claim recreated: released", mkPV("a", "1Gi", "", refTo("ns", "c", "old"), phase(corev1.VolumeBound)), claimC, VolumeDecision{Phase: corev1.VolumeReleased}},
		{"released + retain stays", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"), phase(corev1.VolumeReleased)), nil, VolumeDecision{}},
		{"released + delete + ours: delete", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"), phase(corev1.VolumeReleased),
			policy(corev1.PersistentVolumeReclaimDelete), ours), nil, VolumeDecision{Delete: true}},
		{"released + delete + not ours: failed", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"), phase(corev1.VolumeReleased),
			policy(corev1.PersistentVolumeReclaimDelete)), nil, VolumeDecision{Phase: corev1.VolumeFailed,
			Message: `error getting deleter volume plugin for volume "a": no deletable volume plugin matched`,
			Event:   warning(ReasonVolumeFailedDelete, `error getting deleter volume plugin for volume "a": no deletable volume plugin matched`)}},
		{"claim bound to another volume, controller binding: unbind", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c"),
			ann(storageutil.AnnBoundByController, "yes")), mkClaim("c", "1Gi", "", volumeName("b")), VolumeDecision{Phase: corev1.VolumeAvailable, Unbind: true}},
		{"claim bound to another volume, user pre-binding kept", mkPV("a", "1Gi", "", refTo("ns", "c", "uid-c")),
			mkClaim("c", "1Gi", "", volumeName("b")), VolumeDecision{Phase: corev1.VolumeAvailable, ClearUID: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecideVolume(tt.pv, tt.claim)
			if got.Phase != tt.want.Phase || got.Message != tt.want.Message || got.Unbind != tt.want.Unbind ||
				got.ClearUID != tt.want.ClearUID || got.Delete != tt.want.Delete || (got.Event == nil) != (tt.want.Event == nil) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRetroactiveDefaultClass(t *testing.T) {
	def := mkClass("std", "berth.dev/local-path", true)
	def.Annotations = map[string]string{storageutil.AnnDefaultClass: "true"}
	classes := []*storagev1.StorageClass{def}
	noClass := mkClaim("c", "1Gi", "")
	noClass.Spec.StorageClassName = nil
	if got := RetroactiveDefaultClass(noClass, classes); got != "std" {
		t.Errorf("claim without class: %q", got)
	}
	if got := RetroactiveDefaultClass(mkClaim("c", "1Gi", ""), classes); got != "" {
		t.Errorf(`storageClassName "" means no class: %q`, got)
	}
	boundNoClass := noClass.DeepCopy()
	boundNoClass.Spec.VolumeName = "pv"
	if got := RetroactiveDefaultClass(boundNoClass, classes); got != "" {
		t.Errorf("bound claim: %q", got)
	}
	if got := RetroactiveDefaultClass(noClass, nil); got != "" {
		t.Errorf("no default: %q", got)
	}
}
