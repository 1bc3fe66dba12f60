package defaults

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestDefaultDeployment(t *testing.T) {
	d := &appsv1.Deployment{}
	Default(d)
	s := d.Spec
	ru := s.Strategy.RollingUpdate
	switch {
	case *s.Replicas != 1:
		t.Errorf("replicas = %d", *s.Replicas)
	case s.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType:
		t.Errorf("strategy = %q", s.Strategy.Type)
	case ru == nil || *ru.MaxSurge != intstr.FromString("25%") || *ru.MaxUnavailable != intstr.FromString("25%"):
		t.Errorf("rollingUpdate = %+v", ru)
	case *s.RevisionHistoryLimit != 10 || *s.ProgressDeadlineSeconds != 600:
		t.Errorf("limits = %d/%d", *s.RevisionHistoryLimit, *s.ProgressDeadlineSeconds)
	case s.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways:
		t.Errorf("template not defaulted")
	}
}

func TestDefaultDeploymentRecreateKeepsNoRollingUpdate(t *testing.T) {
	d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}}}
	Default(d)
	if d.Spec.Strategy.RollingUpdate != nil {
		t.Errorf("Recreate strategy got rollingUpdate %+v", d.Spec.Strategy.RollingUpdate)
	}
}

func TestDefaultReplicaSet(t *testing.T) {
	rs := &appsv1.ReplicaSet{}
	Default(rs)
	if *rs.Spec.Replicas != 1 || rs.Spec.Template.Spec.DNSPolicy != corev1.DNSClusterFirst {
		t.Errorf("replicaset not defaulted: %+v", rs.Spec)
	}
}

func TestDefaultStatefulSet(t *testing.T) {
	ss := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{}}}}
	Default(ss)
	s := ss.Spec
	switch {
	case s.PodManagementPolicy != appsv1.OrderedReadyPodManagement:
		t.Errorf("podManagementPolicy = %q", s.PodManagementPolicy)
	case s.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType || *s.UpdateStrategy.RollingUpdate.Partition != 0:
		t.Errorf("updateStrategy = %+v", s.UpdateStrategy)
	case *s.Replicas != 1 || *s.RevisionHistoryLimit != 10:
		t.Errorf("replicas/revisionHistoryLimit = %d/%d", *s.Replicas, *s.RevisionHistoryLimit)
	case s.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType ||
		s.PersistentVolumeClaimRetentionPolicy.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType:
		t.Errorf("retention = %+v", s.PersistentVolumeClaimRetentionPolicy)
	case *s.VolumeClaimTemplates[0].Spec.VolumeMode != corev1.PersistentVolumeFilesystem:
		t.Errorf("claim template volumeMode not defaulted")
	}
}

func TestDefaultStatefulSetOnDeleteHasNoPartition(t *testing.T) {
	ss := &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}}}
	Default(ss)
	if ss.Spec.UpdateStrategy.RollingUpdate != nil {
		t.Errorf("OnDelete got rollingUpdate")
	}
}

func TestDefaultDaemonSet(t *testing.T) {
	ds := &appsv1.DaemonSet{}
	Default(ds)
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType || ru == nil ||
		*ru.MaxUnavailable != intstr.FromInt32(1) || *ru.MaxSurge != intstr.FromInt32(0) || *ds.Spec.RevisionHistoryLimit != 10 {
		t.Errorf("daemonset not defaulted: %+v", ds.Spec.UpdateStrategy)
	}
}
