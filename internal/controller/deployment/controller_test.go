package deployment

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/berth-project/berth/internal/controller/replicaset"
	"github.com/berth-project/berth/internal/controller/replicaset/podutil"
	"github.com/berth-project/berth/internal/controller/replicaset/podutil/podtest"
)

// cluster runs the Deployment and ReplicaSet controllers and a fake kubelet
// over one fake clientset, as the server wires them.
type cluster struct {
	t      *testing.T
	ctx    context.Context
	client *fake.Clientset
}

func startCluster(t *testing.T, readyIf func(*corev1.Pod) bool) *cluster {
	t.Helper()
	client := podtest.NewClientset()
	factory := informers.NewSharedInformerFactory(client, 0)
	rsc, err := replicaset.New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := New(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	factory.Start(ctx.Done())
	wg.Go(func() { _ = rsc.Run(ctx, 2) })
	wg.Go(func() { _ = dc.Run(ctx, 2) })
	wg.Go(func() { (&podtest.Kubelet{Client: client, DefaultNode: "n1", ReadyIf: readyIf}).Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		factory.Shutdown()
	})
	factory.WaitForCacheSync(ctx.Done())
	return &cluster{t: t, ctx: ctx, client: client}
}

func newDeployment(replicas int32, image string) *appsv1.Deployment {
	d := dep(replicas, "", "", image)
	d.UID, d.Generation = "", 0
	d.Status = appsv1.DeploymentStatus{}
	return withDefaults(d)
}

func (c *cluster) create(d *appsv1.Deployment) {
	c.t.Helper()
	if _, err := c.client.AppsV1().Deployments("ns").Create(c.ctx, d, metav1.CreateOptions{}); err != nil {
		c.t.Fatal(err)
	}
}

// update changes the Deployment, retrying on conflicts.
func (c *cluster) update(mut func(*appsv1.Deployment)) {
	c.t.Helper()
	for range 50 {
		d, err := c.client.AppsV1().Deployments("ns").Get(c.ctx, "web", metav1.GetOptions{})
		if err != nil {
			c.t.Fatal(err)
		}
		mut(d)
		_, err = c.client.AppsV1().Deployments("ns").Update(c.ctx, d, metav1.UpdateOptions{})
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			c.t.Fatal(err)
		}
	}
	c.t.Fatal("update kept conflicting")
}

func (c *cluster) deployment() *appsv1.Deployment {
	d, err := c.client.AppsV1().Deployments("ns").Get(c.ctx, "web", metav1.GetOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return d
}

func (c *cluster) replicaSets() []appsv1.ReplicaSet {
	l, err := c.client.AppsV1().ReplicaSets("ns").List(c.ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return l.Items
}

func (c *cluster) pods() []corev1.Pod {
	l, err := c.client.CoreV1().Pods("ns").List(c.ctx, metav1.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	return l.Items
}

// converged: the rollout is complete with n replicas of image: the
// Deployment's ReplicaSet has them all, every other one is at 0, and there
// are exactly n pods, all of image.
func (c *cluster) converged(n int32, image string) bool {
	d := c.deployment()
	st := d.Status
	if d.Spec.Template.Spec.Containers[0].Image != image || st.ObservedGeneration != d.Generation ||
		st.Replicas != n || st.UpdatedReplicas != n || st.AvailableReplicas != n || st.UnavailableReplicas != 0 {
		return false
	}
	current := 0
	for _, rs := range c.replicaSets() {
		switch {
		case equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) && replicasOf(&rs) == n:
			current++
		case replicasOf(&rs) != 0:
			return false
		}
	}
	if current != 1 {
		return false
	}
	pods := c.pods()
	if int32(len(pods)) != n {
		return false
	}
	for _, p := range pods {
		if p.Spec.Containers[0].Image != image {
			return false
		}
	}
	return true
}

func (c *cluster) waitConverged(n int32, image string) {
	c.t.Helper()
	if !podtest.Eventually(20*time.Second, func() bool { return c.converged(n, image) }) {
		d := c.deployment()
		var rss []string
		for _, rs := range c.replicaSets() {
			rss = append(rss, fmt.Sprintf("%s(%s) spec=%d status=%+v", rs.Name, rs.Spec.Template.Spec.Containers[0].Image, replicasOf(&rs), rs.Status))
		}
		c.t.Fatalf("not converged to %d×%s:\ngeneration %d status %+v\nreplicasets %v\npods %d", n, image, d.Generation, d.Status, rss, len(c.pods()))
	}
}

func (c *cluster) events() []string {
	l, _ := c.client.CoreV1().Events("ns").List(c.ctx, metav1.ListOptions{})
	var out []string
	for _, e := range l.Items {
		if e.InvolvedObject.Kind == "Deployment" {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}

func (c *cluster) waitEvent(substr string) {
	c.t.Helper()
	if !podtest.Eventually(5*time.Second, func() bool {
		for _, e := range c.events() {
			if strings.Contains(e, substr) {
				return true
			}
		}
		return false
	}) {
		c.t.Errorf("no event %q in %v", substr, c.events())
	}
}

func TestDeploymentScales(t *testing.T) {
	c := startCluster(t, nil)
	c.create(newDeployment(0, "v1"))
	c.waitConverged(0, "v1")
	rss := c.replicaSets()
	if len(rss) != 1 || !strings.HasPrefix(rss[0].Name, "web-") || rss[0].Labels[hashLabel] == "" {
		t.Fatalf("replicasets %v", rss)
	}
	name := rss[0].Name
	for _, n := range []int32{3, 5, 2} {
		c.update(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(n) })
		c.waitConverged(n, "v1")
		if rss := c.replicaSets(); len(rss) != 1 || rss[0].Name != name {
			t.Fatalf("scaling must not create ReplicaSets: %v", rss)
		}
	}
	c.waitEvent("ScalingReplicaSet: Scaled up replica set " + name + " from 0 to 3")
	c.waitEvent("ScalingReplicaSet: Scaled up replica set " + name + " from 3 to 5")
	c.waitEvent("ScalingReplicaSet: Scaled down replica set " + name + " from 5 to 2")

	d := c.deployment()
	if d.Annotations[revisionAnnotation] != "1" {
		t.Errorf("revision %q", d.Annotations[revisionAnnotation])
	}
	for _, ct := range []struct {
		typ    appsv1.DeploymentConditionType
		reason string
	}{{appsv1.DeploymentAvailable, reasonMinimumAvailable}, {appsv1.DeploymentProgressing, reasonNewRSAvailable}} {
		if cond := getCondition(&d.Status, ct.typ); cond == nil || cond.Reason != ct.reason || cond.Status != corev1.ConditionTrue {
			t.Errorf("%s: %+v", ct.typ, cond)
		}
	}
	for _, p := range c.pods() {
		if p.Labels[hashLabel] == "" || !strings.HasPrefix(p.Name, name+"-") {
			t.Errorf("pod %s labels %v", p.Name, p.Labels)
		}
	}
}

// monitor samples the cluster while a rollout runs and records every
// moment a bound is broken.
type monitor struct {
	stop       chan struct{}
	done       chan struct{}
	mu         sync.Mutex
	violations []string
	samples    int
}

func (c *cluster) watchBounds(check func(rss []appsv1.ReplicaSet, pods []corev1.Pod) string) *monitor {
	m := &monitor{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			select {
			case <-m.stop:
				return
			default:
			}
			rss, _ := c.client.AppsV1().ReplicaSets("ns").List(c.ctx, metav1.ListOptions{})
			pods, _ := c.client.CoreV1().Pods("ns").List(c.ctx, metav1.ListOptions{})
			if rss != nil && pods != nil {
				m.mu.Lock()
				m.samples++
				if v := check(rss.Items, pods.Items); v != "" && len(m.violations) < 10 {
					m.violations = append(m.violations, v)
				}
				m.mu.Unlock()
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()
	return m
}

func (m *monitor) finish(t *testing.T) {
	t.Helper()
	close(m.stop)
	<-m.done
	if len(m.violations) > 0 {
		t.Errorf("bounds broken (%d samples): %v", m.samples, m.violations)
	}
	if m.samples == 0 {
		t.Errorf("only %d samples", m.samples)
	}
}

func TestRollingUpdateBoundsRollbackAndRestart(t *testing.T) {
	c := startCluster(t, nil)
	d := newDeployment(4, "v1")
	one := intstr.FromInt32(1)
	d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: &one, MaxUnavailable: &one}
	c.create(d)
	c.waitConverged(4, "v1")
	v1 := c.replicaSets()[0]

	// replicas + maxSurge = 5 ReplicaSet replicas at most; replicas -
	// maxUnavailable = 3 ready pods at least.
	bounds := func(rss []appsv1.ReplicaSet, pods []corev1.Pod) string {
		var total int32
		for _, rs := range rss {
			total += replicasOf(&rs)
		}
		ready := 0
		for _, p := range pods {
			if p.DeletionTimestamp == nil && podutil.IsReady(&p) {
				ready++
			}
		}
		if total > 5 || ready < 3 {
			return fmt.Sprintf("replicas %d ready %d", total, ready)
		}
		return ""
	}

	m := c.watchBounds(bounds)
	c.update(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "v2" })
	c.waitConverged(4, "v2")
	m.finish(t)
	if got := c.deployment().Annotations[revisionAnnotation]; got != "2" {
		t.Errorf("revision after the update %q, want 2", got)
	}
	if n := len(c.replicaSets()); n != 2 {
		t.Errorf("%d ReplicaSets, want 2", n)
	}
	c.waitEvent("Scaled up replica set")
	c.waitEvent("Scaled down replica set " + v1.Name + " from 4 to 3")

	// kubectl rollout undo: the old ReplicaSet's template (without its hash
	// label) goes back into the Deployment; the controller must scale that
	// ReplicaSet up again rather than create a new one.
	m = c.watchBounds(bounds)
	c.update(func(d *appsv1.Deployment) {
		tmpl := v1.Spec.Template.DeepCopy()
		delete(tmpl.Labels, hashLabel)
		d.Spec.Template = *tmpl
	})
	c.waitConverged(4, "v1")
	m.finish(t)
	rss := c.replicaSets()
	if len(rss) != 2 {
		t.Fatalf("%d ReplicaSets after undo, want the same 2", len(rss))
	}
	for _, rs := range rss {
		if replicasOf(&rs) == 4 {
			if rs.UID != v1.UID {
				t.Errorf("active ReplicaSet %s is not the original %s", rs.Name, v1.Name)
			}
			if rs.Annotations[revisionAnnotation] != "3" || rs.Annotations[revisionHistoryAnnotation] != "1" {
				t.Errorf("annotations %v", rs.Annotations)
			}
		}
	}
	if got := c.deployment().Annotations[revisionAnnotation]; got != "3" {
		t.Errorf("revision after undo %q, want 3", got)
	}

	// kubectl rollout restart: a template annotation rolls everything.
	before := map[string]bool{}
	for _, p := range c.pods() {
		before[p.Name] = true
	}
	c.update(func(d *appsv1.Deployment) {
		d.Spec.Template.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": "2024-01-01T00:00:00Z"}
	})
	if !podtest.Eventually(20*time.Second, func() bool {
		if !c.converged(4, "v1") || len(c.replicaSets()) != 3 {
			return false
		}
		for _, p := range c.pods() {
			if before[p.Name] {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("restart did not roll: %d ReplicaSets", len(c.replicaSets()))
	}
}

func TestRecreateNeverOverlaps(t *testing.T) {
	c := startCluster(t, nil)
	d := newDeployment(3, "v1")
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	c.create(d)
	c.waitConverged(3, "v1")
	m := c.watchBounds(func(_ []appsv1.ReplicaSet, pods []corev1.Pod) string {
		images := map[string]bool{}
		for _, p := range pods {
			images[p.Spec.Containers[0].Image] = true
		}
		if len(images) > 1 {
			return fmt.Sprintf("both versions running: %v", images)
		}
		return ""
	})
	c.update(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "v2" })
	c.waitConverged(3, "v2")
	m.finish(t)
}

func TestProgressDeadlineExceeded(t *testing.T) {
	c := startCluster(t, func(p *corev1.Pod) bool { return p.Spec.Containers[0].Image != "broken" })
	d := newDeployment(2, "v1")
	d.Spec.ProgressDeadlineSeconds = ptr.To(int32(1))
	c.create(d)
	c.waitConverged(2, "v1")
	c.update(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "broken" })
	var cond *appsv1.DeploymentCondition
	if !podtest.Eventually(10*time.Second, func() bool {
		d := c.deployment()
		cond = getCondition(&d.Status, appsv1.DeploymentProgressing)
		return cond != nil && cond.Reason == reasonTimedOut
	}) {
		t.Fatalf("progressing %+v", cond)
	}
	d = c.deployment()
	if cond.Status != corev1.ConditionFalse || !strings.Contains(cond.Message, "has timed out progressing") {
		t.Errorf("progressing %+v", cond)
	}
	// maxUnavailable 25% of 2 rounds down to 0: the old pods stay.
	if a := getCondition(&d.Status, appsv1.DeploymentAvailable); a == nil || a.Status != corev1.ConditionTrue || d.Status.AvailableReplicas != 2 {
		t.Errorf("available %+v, %d available", a, d.Status.AvailableReplicas)
	}
}

func TestPausedDeploymentDoesNotRoll(t *testing.T) {
	c := startCluster(t, nil)
	c.create(newDeployment(2, "v1"))
	c.waitConverged(2, "v1")
	c.update(func(d *appsv1.Deployment) {
		d.Spec.Paused = true
		d.Spec.Template.Spec.Containers[0].Image = "v2"
	})
	if !podtest.Eventually(5*time.Second, func() bool {
		d := c.deployment()
		cond := getCondition(&d.Status, appsv1.DeploymentProgressing)
		return cond != nil && cond.Reason == reasonPaused && d.Status.ObservedGeneration == d.Generation
	}) {
		t.Fatalf("status %+v", c.deployment().Status)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(c.replicaSets()); n != 1 {
		t.Fatalf("paused deployment created a ReplicaSet (%d)", n)
	}
	c.update(func(d *appsv1.Deployment) { d.Spec.Paused = false })
	c.waitConverged(2, "v2")
}
