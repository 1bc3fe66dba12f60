package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/store"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// tracker records what an informer told its handlers.
type tracker struct {
	mu      sync.Mutex
	adds    map[string]int
	present map[string]string // name → resourceVersion
}

func newTracker() *tracker { return &tracker{adds: map[string]int{}, present: map[string]string{}} }

func (tr *tracker) handler() cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			cm := obj.(*corev1.ConfigMap)
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.adds[cm.Name]++
			tr.present[cm.Name] = cm.ResourceVersion
		},
		UpdateFunc: func(_, obj interface{}) {
			cm := obj.(*corev1.ConfigMap)
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.present[cm.Name] = cm.ResourceVersion
		},
		DeleteFunc: func(obj interface{}) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			cm := obj.(*corev1.ConfigMap)
			tr.mu.Lock()
			defer tr.mu.Unlock()
			delete(tr.present, cm.Name)
		},
	}
}

// matches reports whether the informer's view equals the server's list.
func (tr *tracker) matches(want map[string]string) (bool, string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(want) != len(tr.present) {
		return false, fmt.Sprintf("informer has %d objects, server %d", len(tr.present), len(want))
	}
	for name, rv := range want {
		if tr.present[name] != rv {
			return false, fmt.Sprintf("%s: informer rv %q, server rv %q", name, tr.present[name], rv)
		}
	}
	return true, ""
}

func serverState(t *testing.T, cs kubernetes.Interface, ns string) map[string]string {
	t.Helper()
	list, err := cs.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, cm := range list.Items {
		out[cm.Name] = cm.ResourceVersion
	}
	return out
}

func createConfigMaps(t *testing.T, cs kubernetes.Interface, ns, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", prefix, i)},
			Data:       map[string]string{"i": fmt.Sprint(i)},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestInformerSurvivesRestartAndCompaction is acceptance 3 of the API issue.
func TestInformerSurvivesRestartAndCompaction(t *testing.T) {
	s := StartServer(t)
	cs := s.Clientset()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ns := "informer"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createConfigMaps(t, cs, ns, "a", 20)

	// The informer gets its own client so it survives restarts on its own.
	icfg := s.RESTConfig()
	ics := kubernetes.NewForConfigOrDie(icfg)
	factory := informers.NewSharedInformerFactoryWithOptions(ics, 0, informers.WithNamespace(ns))
	tr := newTracker()
	inf := factory.Core().V1().ConfigMaps().Informer()
	if _, err := inf.AddEventHandler(tr.handler()); err != nil {
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	defer func() { cancel(); factory.Shutdown() }()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("informer never synced")
	}
	waitMatch(t, tr, func() map[string]string { return serverState(t, cs, ns) })

	// 1. restart the server: the informer reconnects and misses nothing.
	s.Stop()
	s.Start()
	cs = s.Clientset()
	createConfigMaps(t, cs, ns, "b", 10)
	for i := 0; i < 5; i++ {
		if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, fmt.Sprintf("a-%d", i), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitMatch(t, tr, func() map[string]string { return serverState(t, cs, ns) })

	// 2. changes, then etcd compaction past everything the informer saw,
	// then a restart: its watch resumes from a compacted revision (410) and
	// it must relist to the exact state.
	for i := 5; i < 10; i++ {
		cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, fmt.Sprintf("a-%d", i), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data["changed"] = "yes"
		if _, err := cs.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s.Stop()
	compactEtcdOffline(t, s)
	s.Start()
	cs = s.Clientset()
	createConfigMaps(t, cs, ns, "c", 5)
	if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, "b-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitMatch(t, tr, func() map[string]string { return serverState(t, cs, ns) })

	tr.mu.Lock()
	defer tr.mu.Unlock()
	for name, n := range tr.adds {
		if n != 1 {
			t.Errorf("%s was added %d times", name, n)
		}
	}
}

// compactEtcdOffline starts only the server's etcd (the server is stopped),
// writes a few revisions and compacts to the newest, so any earlier
// resourceVersion is gone.
func compactEtcdOffline(t *testing.T, s *Server) {
	t.Helper()
	ctx := context.Background()
	e, err := store.StartEmbedded(ctx, store.EmbeddedConfig{
		DataDir:    s.DataDir + "/etcd",
		ClientAddr: fmt.Sprintf("127.0.0.1:%d", s.EtcdClient),
		PeerAddr:   fmt.Sprintf("127.0.0.1:%d", s.EtcdPeer),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cli, err := store.NewClient(e.Endpoints)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	var rev int64
	for i := 0; i < 3; i++ {
		resp, err := cli.Put(ctx, "/berth-test/bump", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		rev = resp.Header.Revision
	}
	if _, err := cli.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
}

func waitMatch(t *testing.T, tr *tracker, want func() map[string]string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var why string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, why = tr.matches(want()); ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("informer state never matched the server: %s", why)
}

// TestWatchFromCompactedRevisionIsGone: a watch from a revision etcd no
// longer has answers 410 Expired, which is what makes reflectors relist.
func TestWatchFromCompactedRevisionIsGone(t *testing.T) {
	s := StartServer(t)
	cs := s.Clientset()
	ctx := context.Background()
	createConfigMaps(t, cs, "default", "w", 3)
	s.Stop()
	compactEtcdOffline(t, s)
	s.Start()
	cs = s.Clientset()
	w, err := cs.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{ResourceVersion: "2"})
	if err != nil {
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			t.Fatalf("expected 410, got %v", err)
		}
		return
	}
	defer w.Stop()
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Error {
			t.Fatalf("expected an ERROR event, got %s", ev.Type)
		}
		st, ok := ev.Object.(*metav1.Status)
		if !ok || st.Code != 410 {
			t.Fatalf("expected a 410 Status, got %#v", ev.Object)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer to a watch from a compacted revision")
	}
}

// TestRestartKeepsObjects is acceptance 4: every object survives a restart
// with the same resourceVersion.
func TestRestartKeepsObjects(t *testing.T) {
	s := StartServer(t)
	for _, f := range []string{"nginx-service.yaml", "nginx-deployment.yaml", "configmap.yaml", "pvc.yaml", "statefulset.yaml"} {
		s.Kubectl("apply", "-f", testdata(f))
	}
	before := s.Kubectl("get", "svc,deploy,cm,pvc,sts,ns", "-A", "-o", "custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name,RV:.metadata.resourceVersion,UID:.metadata.uid,IP:.spec.clusterIP", "--sort-by=.metadata.uid")
	s.Kill() // a crash, not a clean stop
	s.Start()
	after := s.Kubectl("get", "svc,deploy,cm,pvc,sts,ns", "-A", "-o", "custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name,RV:.metadata.resourceVersion,UID:.metadata.uid,IP:.spec.clusterIP", "--sort-by=.metadata.uid")
	if before != after {
		t.Fatalf("objects changed across a restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
	mustContain(t, after, "nginx-service", "nginx-deployment", "game-demo", "myclaim", "web")
}
