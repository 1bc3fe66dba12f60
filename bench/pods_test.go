package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// TestPodStartReport measures pod start latency (create → Ready, image on
// the node) for 1 pod at a time and for 50 created at once, deletion
// latency, and the server's (with its agent's) resident memory with 50 pods.
//
//	sudo BERTH_BENCH=1 go test -run TestPodStartReport -v -timeout 20m ./bench/
func TestPodStartReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the pod start report")
	}
	w := e2e.NewNodeWorld(t)
	cs := w.Clientset()
	ctx := context.Background()

	var single, singleDel []time.Duration
	for i := 0; i < 10; i++ {
		lat := createAndWaitReady(t, cs, []string{fmt.Sprintf("one-%d", i)})
		single = append(single, lat...)
		singleDel = append(singleDel, deleteAndWaitGone(t, cs, []string{fmt.Sprintf("one-%d", i)})...)
	}
	var names []string
	for i := 0; i < 50; i++ {
		names = append(names, fmt.Sprintf("many-%d", i))
	}
	many := createAndWaitReady(t, cs, names)
	rss := rssOf(w.ServerPID())
	manyDel := deleteAndWaitGone(t, cs, names)
	_ = ctx

	t.Logf("\n| pods | create → Ready p50 | p99 | delete → gone p50 | p99 |\n|---|---|---|---|---|\n| 1 at a time (10 runs) | %v | %v | %v | %v |\n| 50 at once | %v | %v | %v | %v |\n\nserver+agent RSS with 50 pods: %s\n",
		pct(single, 50), pct(single, 99), pct(singleDel, 50), pct(singleDel, 99),
		pct(many, 50), pct(many, 99), pct(manyDel, 50), pct(manyDel, 99), rss)
}

func pod(name string) *corev1.Pod {
	grace := int64(1)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"bench": "pods"}},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: &grace,
			Containers:                    []corev1.Container{{Name: "c", Image: "testhost", ImagePullPolicy: corev1.PullIfNotPresent, Args: []string{"serve", "--port", "80"}}},
		},
	}
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// createAndWaitReady creates the pods at once and returns, per pod, the
// time from its Create call to the watch event that shows it Ready.
func createAndWaitReady(t *testing.T, cs kubernetes.Interface, names []string) []time.Duration {
	var pods []*corev1.Pod
	for _, n := range names {
		pods = append(pods, pod(n))
	}
	return createPodsAndWaitReady(t, cs, pods)
}

// createPodsAndWaitReady is createAndWaitReady for given pods (labelled
// bench=pods).
func createPodsAndWaitReady(t *testing.T, cs kubernetes.Interface, pods []*corev1.Pod) []time.Duration {
	byName := map[string]*corev1.Pod{}
	var names []string
	for _, p := range pods {
		byName[p.Name] = p
		names = append(names, p.Name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wt, err := cs.CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{LabelSelector: "bench=pods"})
	if err != nil {
		t.Fatal(err)
	}
	defer wt.Stop()
	var mu sync.Mutex
	created := map[string]time.Time{}
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func(n string) {
			defer wg.Done()
			mu.Lock()
			created[n] = time.Now()
			mu.Unlock()
			if _, err := cs.CoreV1().Pods("default").Create(ctx, byName[n], metav1.CreateOptions{}); err != nil {
				t.Error(err)
			}
		}(n)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []time.Duration
	for len(want) > 0 {
		select {
		case ev, ok := <-wt.ResultChan():
			if !ok {
				t.Fatal("watch closed")
			}
			p, isPod := ev.Object.(*corev1.Pod)
			if !isPod || !want[p.Name] || ev.Type == watch.Deleted || !isReady(p) {
				continue
			}
			mu.Lock()
			out = append(out, time.Since(created[p.Name]))
			mu.Unlock()
			delete(want, p.Name)
		case <-ctx.Done():
			t.Fatalf("pods not Ready: %d left", len(want))
		}
	}
	wg.Wait()
	return out
}

func deleteAndWaitGone(t *testing.T, cs kubernetes.Interface, names []string) []time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wt, err := cs.CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{LabelSelector: "bench=pods"})
	if err != nil {
		t.Fatal(err)
	}
	defer wt.Stop()
	start := map[string]time.Time{}
	for _, n := range names {
		start[n] = time.Now()
		if err := cs.CoreV1().Pods("default").Delete(ctx, n, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var out []time.Duration
	for len(start) > 0 {
		select {
		case ev := <-wt.ResultChan():
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type != watch.Deleted {
				continue
			}
			if s, ok := start[p.Name]; ok {
				out = append(out, time.Since(s))
				delete(start, p.Name)
			}
		case <-ctx.Done():
			t.Fatalf("pods not gone: %d left", len(start))
		}
	}
	return out
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > len(s) {
		i = len(s)
	}
	if i < 1 {
		i = 1
	}
	return s[i-1].Round(time.Millisecond)
}

func rssOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
		}
	}
	return "unknown"
}
