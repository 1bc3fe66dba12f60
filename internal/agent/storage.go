package agent

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/berth-project/berth/internal/volume"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// storage is the agent's PV watcher: it keeps the backing storage of the
// PVs provisioned on this node (create, expand, delete and release the
// berth.dev/node-storage finalizer) and tracks which pods use which PV, so
// a volume is unstaged when its last pod goes and never deleted under one.
type storage struct {
	a      *Agent
	mgr    *volume.Manager
	pvs    corelisters.PersistentVolumeLister
	claims corelisters.PersistentVolumeClaimLister
	kick   chan struct{}

	mu    sync.Mutex
	users map[string]map[types.UID]string // PV name → pod UID → pod ns/name
	byPod map[types.UID][]string          // pod UID → PV names
}

func newStorage(a *Agent, mgr *volume.Manager) *storage {
	return &storage{a: a, mgr: mgr, kick: make(chan struct{}, 1),
		users: map[string]map[types.UID]string{}, byPod: map[types.UID][]string{}}
}

// start runs the PV and claim informers and the reconcile loop.
func (s *storage) start(ctx context.Context) error {
	f := informers.NewSharedInformerFactory(s.a.client, 0)
	pvInf := f.Core().V1().PersistentVolumes()
	claimInf := f.Core().V1().PersistentVolumeClaims()
	s.pvs, s.claims = pvInf.Lister(), claimInf.Lister()
	kick := func(obj interface{}) {
		if pv, ok := obj.(*corev1.PersistentVolume); ok && !volume.IsOurs(pv, s.a.cfg.NodeName) {
			return
		}
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	_, _ = pvInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: kick, UpdateFunc: func(_, o interface{}) { kick(o) },
	})
	_, _ = claimInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, o interface{}) { kick(o) },
	})
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pvInf.Informer().HasSynced, claimInf.Informer().HasSynced) {
		return ctx.Err()
	}
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			s.reconcile(ctx)
			select {
			case <-ctx.Done():
				f.Shutdown()
				return
			case <-s.kick:
			case <-t.C:
			}
		}
	}()
	return nil
}

// reconcile brings every PV of this node one step towards its plan.
func (s *storage) reconcile(ctx context.Context) {
	pvs, err := s.pvs.List(labels.Everything())
	if err != nil {
		return
	}
	for _, pv := range pvs {
		if !volume.IsOurs(pv, s.a.cfg.NodeName) {
			continue
		}
		s.reconcileOne(ctx, pv.DeepCopy())
	}
}

func (s *storage) reconcileOne(ctx context.Context, pv *corev1.PersistentVolume) {
	a := s.a
	action := volume.Plan(pv, s.mgr.Observe(pv), s.inUse(pv.Name))
	var err error
	switch action {
	case volume.ActionEnsure:
		if err = s.mgr.Ensure(ctx, pv); err == nil {
			a.log.Info("created backing storage", "pv", pv.Name, "driver", volume.Driver(pv))
		}
	case volume.ActionExpand:
		if err = s.mgr.Expand(ctx, pv); err != nil {
			if claim := s.claimOf(pv); claim != nil {
				a.recorder.Eventf(claim, corev1.EventTypeWarning, "FileSystemResizeFailed", "MountVolume.NodeExpandVolume failed for volume %q : %v", pv.Name, err)
			}
		}
	case volume.ActionDelete:
		if err = s.mgr.Delete(pv); err == nil {
			err = s.removeFinalizer(ctx, pv.Name)
			if err == nil {
				a.log.Info("deleted backing storage", "pv", pv.Name)
			}
		}
	}
	if err != nil {
		a.log.Warn("persistent volume", "pv", pv.Name, "action", action.String(), "err", err)
		return
	}
	if pv.DeletionTimestamp == nil && volume.Driver(pv) == volume.DriverLocalVolume {
		s.finishResize(ctx, pv)
	}
}

// finishResize reports a completed expansion on the claim, as the kubelet
// does after NodeExpandVolume: status.capacity is the new size and the
// Resizing/FileSystemResizePending conditions go.
func (s *storage) finishResize(ctx context.Context, pv *corev1.PersistentVolume) {
	want, err := volume.CapacityBytes(pv)
	if err != nil || s.mgr.Observe(pv).Size < volume.RoundUpMiB(want) {
		return
	}
	claim := s.claimOf(pv)
	if claim == nil || claim.Status.Phase != corev1.ClaimBound {
		return
	}
	have, ok := claim.Status.Capacity[corev1.ResourceStorage]
	pending := hasResizeCondition(claim)
	if ok && have.Cmp(pv.Spec.Capacity[corev1.ResourceStorage]) >= 0 && !pending {
		return
	}
	if !ok && !pending {
		return // the binder has not reported a capacity yet
	}
	c := claim.DeepCopy()
	if c.Status.Capacity == nil {
		c.Status.Capacity = corev1.ResourceList{}
	}
	c.Status.Capacity[corev1.ResourceStorage] = pv.Spec.Capacity[corev1.ResourceStorage]
	var conds []corev1.PersistentVolumeClaimCondition
	for _, cond := range c.Status.Conditions {
		if cond.Type != corev1.PersistentVolumeClaimResizing && cond.Type != corev1.PersistentVolumeClaimFileSystemResizePending {
			conds = append(conds, cond)
		}
	}
	c.Status.Conditions = conds
	// The node step is done: no resize in progress (Kubernetes clears
	// allocatedResourceStatuses after NodeExpandVolume).
	delete(c.Status.AllocatedResourceStatuses, corev1.ResourceStorage)
	if len(c.Status.AllocatedResourceStatuses) == 0 {
		c.Status.AllocatedResourceStatuses = nil
	}
	if _, err := s.a.client.CoreV1().PersistentVolumeClaims(c.Namespace).UpdateStatus(ctx, c, metav1.UpdateOptions{}); err != nil {
		s.a.log.Warn("claim status after expansion", "claim", c.Namespace+"/"+c.Name, "err", err)
		return
	}
	q := pv.Spec.Capacity[corev1.ResourceStorage]
	s.a.recorder.Eventf(c, corev1.EventTypeNormal, "FileSystemResizeSuccessful", "MountVolume.NodeExpandVolume succeeded for volume %q (%s) %s", pv.Name, q.String(), s.a.cfg.NodeName)
}

func hasResizeCondition(c *corev1.PersistentVolumeClaim) bool {
	for _, cond := range c.Status.Conditions {
		if cond.Type == corev1.PersistentVolumeClaimResizing || cond.Type == corev1.PersistentVolumeClaimFileSystemResizePending {
			return true
		}
	}
	return false
}

func (s *storage) claimOf(pv *corev1.PersistentVolume) *corev1.PersistentVolumeClaim {
	ref := pv.Spec.ClaimRef
	if ref == nil {
		return nil
	}
	c, err := s.claims.PersistentVolumeClaims(ref.Namespace).Get(ref.Name)
	if err != nil || (ref.UID != "" && c.UID != ref.UID) {
		return nil
	}
	return c
}

// removeFinalizer drops berth.dev/node-storage, re-reading on conflicts.
func (s *storage) removeFinalizer(ctx context.Context, name string) error {
	pvs := s.a.client.CoreV1().PersistentVolumes()
	for i := 0; i < 5; i++ {
		pv, err := pvs.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !volume.HasFinalizer(pv) {
			return nil
		}
		pv.Finalizers = volume.WithoutFinalizer(pv.Finalizers)
		if _, err = pvs.Update(ctx, pv, metav1.UpdateOptions{}); err == nil || apierrors.IsNotFound(err) {
			return nil
		} else if !apierrors.IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("persistentvolume %q: finalizer update kept conflicting", name)
}

func (s *storage) inUse(pv string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users[pv]) > 0
}

// use records that pod uses pv. With onePod (ReadWriteOncePod) another
// pod already using it is an error naming that pod.
func (s *storage) use(pod *corev1.Pod, pv string, onePod bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if onePod {
		for uid, name := range s.users[pv] {
			if uid != pod.UID {
				return fmt.Errorf("volume %q uses the ReadWriteOncePod access mode and is already used by pod %s", pv, name)
			}
		}
	}
	if s.users[pv] == nil {
		s.users[pv] = map[types.UID]string{}
	}
	if _, ok := s.users[pv][pod.UID]; !ok {
		s.users[pv][pod.UID] = pod.Namespace + "/" + pod.Name
		s.byPod[pod.UID] = append(s.byPod[pod.UID], pv)
	}
	return nil
}

// release forgets the pod's volumes and unstages those no pod uses any
// more (local-volume: unmount and detach; a later pod stages it again).
func (s *storage) release(uid types.UID) {
	s.mu.Lock()
	var idle []string
	for _, pv := range s.byPod[uid] {
		delete(s.users[pv], uid)
		if len(s.users[pv]) == 0 {
			delete(s.users, pv)
			idle = append(idle, pv)
		}
	}
	delete(s.byPod, uid)
	s.mu.Unlock()
	sort.Strings(idle)
	for _, pv := range idle {
		if s.isLocalVolume(pv) {
			if err := s.mgr.Unstage(pv); err != nil {
				s.a.log.Warn("unstaging volume", "pv", pv, "err", err)
			}
		}
	}
	select {
	case s.kick <- struct{}{}: // a deletion may have waited for this pod
	default:
	}
}

func (s *storage) isLocalVolume(name string) bool {
	pv, err := s.pvs.Get(name)
	return err != nil || volume.Driver(pv) == volume.DriverLocalVolume
}
