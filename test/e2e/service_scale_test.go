package e2e

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// sliceEndpoints are a Service's endpoints as its EndpointSlices list them:
// pod names of the ready ones, and how many there are in all.
type sliceEndpoints struct {
	ready []string
	total int
}

func endpointsOf(cs kubernetes.Interface, svc string) (sliceEndpoints, error) {
	var e sliceEndpoints
	list, err := cs.DiscoveryV1().EndpointSlices("default").List(context.Background(),
		metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + svc})
	if err != nil {
		return e, err
	}
	for _, s := range list.Items {
		for _, ep := range s.Endpoints {
			e.total++
			if ep.Conditions.Ready != nil && *ep.Conditions.Ready && ep.TargetRef != nil {
				e.ready = append(e.ready, ep.TargetRef.Name)
			}
		}
	}
	sort.Strings(e.ready)
	return e, nil
}

// waitEndpoints polls the API closely (every 20 ms) until cond holds and
// returns when it was first seen: the moment the change was visible to
// any watcher, the proxy's included.
func waitEndpoints(t *testing.T, cs kubernetes.Interface, svc, what string, cond func(sliceEndpoints) bool) (time.Time, sliceEndpoints) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var last sliceEndpoints
	for time.Now().Before(deadline) {
		e, err := endpointsOf(cs, svc)
		if err == nil && cond(e) {
			return time.Now(), e
		}
		last = e
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last: %+v", what, last)
	return time.Time{}, last
}

// loadFrom sends requests to addr one after the other from inside a pod
// until stop is called, which returns them all.
func loadFrom(t *testing.T, uid, addr string) (stop func() []HTTPResult) {
	ns := PodNetNS(t, uid)
	var (
		mu      sync.Mutex
		results []HTTPResult
		done    = make(chan struct{})
		quit    = make(chan struct{})
	)
	go func() {
		defer close(done)
		err := InNetNS(ns, func() {
			for {
				select {
				case <-quit:
					return
				default:
				}
				r := HTTPGet(addr, "/hostname", 2*time.Second)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				if r.Err != nil {
					time.Sleep(5 * time.Millisecond) // refusals are instant: do not spin
				}
			}
		})
		if err != nil {
			t.Error(err)
		}
	}()
	var once sync.Once
	stopFn := func() []HTTPResult {
		once.Do(func() { close(quit); <-done })
		mu.Lock()
		defer mu.Unlock()
		return results
	}
	t.Cleanup(func() { stopFn() })
	return stopFn
}

// TestClusterIPScaleDown is acceptance 2: while a pod sends requests to
// nginx-service's ClusterIP without pause, the Deployment is scaled from 3
// to 1; from one second after the EndpointSlice drops the removed pods, every
// request reaches the remaining pod. Scaled to 0, a connection to the
// ClusterIP is refused at once (TCP reset from the proxy's reject rule), not
// left to time out.
func TestClusterIPScaleDown(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Serial: true})
	clusterIP := w.nginxService(t, 3)
	uid := w.clientPod(t, "client")
	cs := w.Clientset()
	addr := clusterIP + ":80"

	stop := loadFrom(t, uid, addr)
	time.Sleep(time.Second) // some traffic to all three first
	w.Kubectl("scale", "deployment", "nginx", "--replicas=1")
	removed, eps := waitEndpoints(t, cs, "nginx-service", "one ready endpoint", func(e sliceEndpoints) bool { return len(e.ready) == 1 })
	survivor := eps.ready[0]
	time.Sleep(3 * time.Second)
	results := stop()

	before, after, late := map[string]int{}, 0, map[string]int{}
	var lateErrs []string
	for _, r := range results {
		switch {
		case r.Start.Before(removed):
			before[strings.TrimSpace(r.Body)]++
		case r.Start.Before(removed.Add(time.Second)):
			after++
		case r.Err != nil:
			lateErrs = append(lateErrs, r.Start.Sub(removed).String()+": "+r.Err.Error())
		default:
			late[strings.TrimSpace(r.Body)]++
		}
	}
	t.Logf("%d requests before the slice changed (%v), %d in the first second, then %v; survivor %s",
		len(results)-after-sum(late)-len(lateErrs), before, after, late, survivor)
	if len(lateErrs) > 0 {
		t.Errorf("%d requests failed more than 1 s after the scale-down: %v", len(lateErrs), lateErrs[:min(len(lateErrs), 5)])
	}
	if len(late) != 1 || late[survivor] == 0 {
		t.Fatalf("requests more than 1 s after the scale-down reached %v, want only %s", late, survivor)
	}

	// Scale to 0: once the slice is empty (and a second for the proxy, as
	// above) connections are refused, each well under a second.
	w.Kubectl("scale", "deployment", "nginx", "--replicas=0")
	empty, _ := waitEndpoints(t, cs, "nginx-service", "no endpoints", func(e sliceEndpoints) bool { return e.total == 0 })
	time.Sleep(time.Until(empty.Add(time.Second)))
	ns := PodNetNS(t, uid)
	for i := 0; i < 5; i++ {
		r := GetIn(ns, addr, "/hostname", 5*time.Second)
		if !errors.Is(r.Err, syscall.ECONNREFUSED) {
			t.Fatalf("request %d to %s with no endpoints: %v (body %q) after %v, want connection refused", i, addr, r.Err, r.Body, r.Duration)
		}
		if r.Duration > time.Second {
			t.Fatalf("request %d: refused only after %v", i, r.Duration)
		}
		t.Logf("refused after %v", r.Duration)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
