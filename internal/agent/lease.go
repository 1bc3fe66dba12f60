package agent

import (
	"context"
	"os/exec"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultNodeLeaseDurationSeconds is the kubelet's default Lease duration.
const DefaultNodeLeaseDurationSeconds = 40

// leaseRenewInterval is a quarter of the Lease duration (10 s by default),
// as in the kubelet: the node survives a few lost renewals.
func leaseRenewInterval(durationSeconds int) time.Duration {
	return time.Duration(durationSeconds) * time.Second / 4
}

// leaseLoop renews the node's Lease in kube-node-lease — the cheap
// heartbeat by which the control plane decides Ready/NotReady.
func (a *Agent) leaseLoop(ctx context.Context, node *corev1.Node) {
	failing := false
	for {
		if err := a.renewLease(ctx, node); err != nil && ctx.Err() == nil {
			a.log.Warn("lease renewal", "err", err)
			failing = true
		} else if failing && ctx.Err() == nil {
			// Back after being cut off: the control plane has probably
			// marked the node Unknown; say Ready at once rather than at
			// the next status tick.
			failing = false
			a.log.Info("lease renewed again; posting node status")
			if err := a.postNodeStatus(ctx); err != nil {
				a.log.Warn("node status", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(leaseRenewInterval(a.cfg.NodeLeaseDurationSeconds)):
		}
	}
}

func (a *Agent) renewLease(ctx context.Context, node *corev1.Node) error {
	leases := a.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	dur := int32(a.cfg.NodeLeaseDurationSeconds)
	holder := a.cfg.NodeName
	lease, err := leases.Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: a.cfg.NodeName, Namespace: corev1.NamespaceNodeLease,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: &now},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	lease.Spec.HolderIdentity = &holder
	lease.Spec.LeaseDurationSeconds = &dur
	lease.Spec.RenewTime = &now
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}

func execOutput(bin string, args ...string) (string, error) {
	if bin == "" {
		bin = "runc"
	}
	out, err := exec.Command(bin, args...).Output()
	return string(out), err
}
