package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/berth-project/berth/internal/controller/volume/binder"
	"github.com/berth-project/berth/internal/controller/volume/provisioner"
	"github.com/berth-project/berth/internal/controller/volume/storageutil"
)

// volumeBindTimeout is how long a placed pod waits for its claims to be
// bound before it is scheduled afresh (kube-scheduler's bind timeout).
const volumeBindTimeout = 5 * time.Minute

// volumeBinder is the I/O side of volume binding: the storage caches, and
// the pods placed on a node that wait for their claims (PreBind).
type volumeBinder struct {
	claims  corelisters.PersistentVolumeClaimLister
	pvs     corelisters.PersistentVolumeLister
	classes storagelisters.StorageClassLister

	mu      sync.Mutex
	waiting map[types.UID]*volumeWait
}

// volumeWait is a pod placed on host whose claims are being bound.
type volumeWait struct {
	host      string
	plan      *volumePlan
	since     time.Time
	annotated map[string]bool // claims we have written selected-node to
}

func newVolumeBinder(factory informers.SharedInformerFactory) *volumeBinder {
	return &volumeBinder{
		claims:  factory.Core().V1().PersistentVolumeClaims().Lister(),
		pvs:     factory.Core().V1().PersistentVolumes().Lister(),
		classes: factory.Storage().V1().StorageClasses().Lister(),
		waiting: map[types.UID]*volumeWait{},
	}
}

// watchVolumes retries pods when storage changes: a claim bound, a volume
// made, a class created.
func (c *Controller) watchVolumes(factory informers.SharedInformerFactory) error {
	retry := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { c.retryWaiting("storage changed") },
		UpdateFunc: func(_, _ any) { c.retryWaiting("storage changed") },
		DeleteFunc: func(any) { c.retryWaiting("storage changed") },
	}
	for _, inf := range []cache.SharedIndexInformer{
		factory.Core().V1().PersistentVolumeClaims().Informer(),
		factory.Core().V1().PersistentVolumes().Informer(),
		factory.Storage().V1().StorageClasses().Informer(),
	} {
		reg, err := inf.AddEventHandler(retry)
		if err != nil {
			return fmt.Errorf("scheduler: adding event handler: %w", err)
		}
		c.synced = append(c.synced, reg.HasSynced)
	}
	return nil
}

// snapshot reads the storage caches for one attempt by pod.
func (b *volumeBinder) snapshot(pod *corev1.Pod, pods []*corev1.Pod) (*volumeSnapshot, error) {
	claims, err := b.claims.PersistentVolumeClaims(pod.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	pvs, err := b.pvs.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	classes, err := b.classes.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	s := &volumeSnapshot{claims: map[string]*corev1.PersistentVolumeClaim{}, pvs: pvs,
		classes: map[string]*storagev1.StorageClass{}, pods: pods, reserved: map[string]int64{}, taken: map[string]bool{}}
	for _, c := range claims {
		s.claims[c.Namespace+"/"+c.Name] = c
	}
	for _, sc := range classes {
		s.classes[sc.Name] = sc
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for uid, w := range b.waiting {
		if uid == pod.UID {
			continue
		}
		for _, v := range w.plan.static {
			s.taken[v.Name] = true
		}
		for _, claim := range w.plan.provision {
			if volumeNamed(pvs, "pvc-"+string(claim.UID)) != nil {
				continue // made: counted by the free capacity already
			}
			if sc := s.classes[storageutil.ClaimClass(claim)]; sc != nil && storageutil.IsOurDriver(sc.Provisioner) {
				q := provisioner.Size(sc.Provisioner, claim)
				s.reserved[w.host] += q.Value()
			}
		}
	}
	return s, nil
}

func (b *volumeBinder) wait(uid types.UID) *volumeWait {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiting[uid]
}

func (b *volumeBinder) setWait(uid types.UID, w *volumeWait) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w == nil {
		delete(b.waiting, uid)
	} else {
		b.waiting[uid] = w
	}
}

// errVolumesNotReady: the pod's claims are not all bound yet.
var errVolumesNotReady = errors.New("waiting for the pod's volumes to be bound")

// bindVolumes is PreBind: it pre-binds the chosen static volumes, hands the
// claims to provision to the provisioner on the chosen node (the
// selected-node annotation), and reports whether every claim of the pod is
// now Bound. A plan that no longer holds (volume taken, provisioner gave
// the node back) is an error: the pod is scheduled afresh.
func (c *Controller) bindVolumes(ctx context.Context, pod *corev1.Pod, w *volumeWait) error {
	for claimName, v := range w.plan.static {
		claim, err := c.volumes.claims.PersistentVolumeClaims(pod.Namespace).Get(claimName)
		if err != nil {
			return err
		}
		cur, err := c.volumes.pvs.Get(v.Name)
		if err != nil {
			return err
		}
		if ref := cur.Spec.ClaimRef; ref != nil {
			if ref.Name != claim.Name || ref.Namespace != claim.Namespace || (ref.UID != "" && ref.UID != claim.UID) {
				return fmt.Errorf("volume %s was taken by another claim", v.Name)
			}
			continue
		}
		cur = cur.DeepCopy()
		cur.Spec.ClaimRef = binder.BoundClaimRef(claim)
		metav1.SetMetaDataAnnotation(&cur.ObjectMeta, storageutil.AnnBoundByController, "yes")
		if _, err := c.client.CoreV1().PersistentVolumes().Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	for _, want := range w.plan.provision {
		claim, err := c.volumes.claims.PersistentVolumeClaims(pod.Namespace).Get(want.Name)
		if err != nil {
			return err
		}
		if claim.Spec.VolumeName != "" || claim.Annotations[storageutil.AnnSelectedNode] == w.host {
			continue
		}
		if w.annotated[claim.Name] {
			return fmt.Errorf("provisioning of claim %q on node %q failed", claim.Name, w.host)
		}
		claim = claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, storageutil.AnnSelectedNode, w.host)
		if _, err := c.client.CoreV1().PersistentVolumeClaims(pod.Namespace).Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
			return err
		}
		w.annotated[claim.Name] = true
	}
	for _, name := range storageutil.PodClaimNames(pod) {
		claim, err := c.volumes.claims.PersistentVolumeClaims(pod.Namespace).Get(name)
		if err != nil {
			return err
		}
		if claim.Spec.VolumeName == "" || claim.Status.Phase != corev1.ClaimBound {
			return errVolumesNotReady
		}
	}
	return nil
}

// continueVolumeBinding drives a placed pod through PreBind to Bind.
func (c *Controller) continueVolumeBinding(ctx context.Context, key string, pod *corev1.Pod, w *volumeWait) error {
	err := c.bindVolumes(ctx, pod, w)
	switch {
	case err == nil:
		c.volumes.setWait(pod.UID, nil)
		return c.bind(ctx, key, pod, w.host)
	case errors.Is(err, errVolumesNotReady) && c.now().Sub(w.since) < volumeBindTimeout:
		c.queue.AddAfter(key, time.Second) // claim updates retry it sooner
		return nil
	case apierrors.IsConflict(err):
		return err // stale cache; try again
	default:
		c.volumes.setWait(pod.UID, nil)
		c.assumed.forget(pod.UID)
		msg := fmt.Sprintf("running PreBind plugin \"VolumeBinding\": binding volumes: %v", err)
		c.recorder.Event(pod, corev1.EventTypeWarning, eventFailedScheduling, msg)
		c.log.Info("volume binding failed, rescheduling", "pod", key, "node", w.host, "err", err)
		return errUnschedulable
	}
}
