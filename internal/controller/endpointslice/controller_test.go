package endpointslice

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

// startController runs the controller against a fake clientset that, like
// the API server, fills in names from generateName.
func startController(t *testing.T, objs ...runtime.Object) *fake.Clientset {
	t.Helper()
	client := fake.NewClientset(objs...)
	var n atomic.Int64
	client.PrependReactor("create", "endpointslices", func(a clienttesting.Action) (bool, runtime.Object, error) {
		s := a.(clienttesting.CreateAction).GetObject().(*discoveryv1.EndpointSlice)
		if s.Name == "" && s.GenerateName != "" {
			s.Name = fmt.Sprintf("%s%05d", s.GenerateName, n.Add(1))
		}
		return false, nil, nil
	})
	c, err := New(client, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, 2) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return client
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 20*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		ok, state := cond()
		last = state
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s: never happened; last state: %s", what, last)
	}
}

func listSlices(t *testing.T, client *fake.Clientset, svc string) []discoveryv1.EndpointSlice {
	t.Helper()
	l, err := client.DiscoveryV1().EndpointSlices("default").List(context.Background(), metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + svc,
	})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// readyIPs lists the ready and all endpoint addresses of a Service's slices.
func sliceState(t *testing.T, client *fake.Clientset, svc string) (slices, ready, all int) {
	for _, s := range listSlices(t, client, svc) {
		slices++
		for _, ep := range s.Endpoints {
			all++
			if *ep.Conditions.Ready {
				ready++
			}
		}
	}
	return
}

func endpointsState(client *fake.Clientset, name string) (ready, notReady int, found bool) {
	ep, err := client.CoreV1().Endpoints("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return 0, 0, false
	}
	for _, ss := range ep.Subsets {
		ready += len(ss.Addresses)
		notReady += len(ss.NotReadyAddresses)
	}
	return ready, notReady, true
}

func TestControllerLifecycle(t *testing.T) {
	ctx := context.Background()
	client := startController(t,
		service("web"),
		pod("web-0", "10.42.0.1"), pod("web-1", "10.42.0.2"), pod("web-2", "10.42.0.3", notReady),
		pod("other", "10.42.0.9", appLabel("db")),
	)
	eventually(t, "slices and endpoints for three pods", func() (bool, string) {
		n, ready, all := sliceState(t, client, "web")
		r, nr, ok := endpointsState(client, "web")
		return n == 1 && ready == 2 && all == 3 && ok && r == 2 && nr == 1,
			fmt.Sprintf("slices %d ready %d all %d; endpoints found %v ready %d notReady %d", n, ready, all, ok, r, nr)
	})

	// web-2 becomes ready.
	p, _ := client.CoreV1().Pods("default").Get(ctx, "web-2", metav1.GetOptions{})
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if _, err := client.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "web-2 ready", func() (bool, string) {
		n, ready, _ := sliceState(t, client, "web")
		r, nr, _ := endpointsState(client, "web")
		return n == 1 && ready == 3 && r == 3 && nr == 0, fmt.Sprintf("slices %d ready %d endpoints %d/%d", n, ready, r, nr)
	})

	// web-0 goes away.
	if err := client.CoreV1().Pods("default").Delete(ctx, "web-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "web-0 removed", func() (bool, string) {
		n, _, all := sliceState(t, client, "web")
		r, _, _ := endpointsState(client, "web")
		return n == 1 && all == 2 && r == 2, fmt.Sprintf("slices %d endpoints %d legacy %d", n, all, r)
	})

	// The Service goes away, and its endpoints with it.
	if err := client.CoreV1().Services("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "cleanup", func() (bool, string) {
		n, _, _ := sliceState(t, client, "web")
		_, _, ok := endpointsState(client, "web")
		return n == 0 && !ok, fmt.Sprintf("slices %d endpoints object %v", n, ok)
	})
}

func TestControllerManySlicesNoDuplicates(t *testing.T) {
	objs := []runtime.Object{service("web")}
	for _, p := range pods(230) {
		objs = append(objs, p)
	}
	client := startController(t, objs...)
	eventually(t, "230 endpoints in 3 slices", func() (bool, string) {
		n, ready, all := sliceState(t, client, "web")
		return n == 3 && ready == 230 && all == 230, fmt.Sprintf("slices %d ready %d all %d", n, ready, all)
	})
	// Churn through pod updates; the slice count must not grow.
	ctx := context.Background()
	for i := range 20 {
		p, _ := client.CoreV1().Pods("default").Get(ctx, fmt.Sprintf("web-%03d", i), metav1.GetOptions{})
		notReady(p)
		if _, err := client.CoreV1().Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "20 not ready", func() (bool, string) {
		n, ready, all := sliceState(t, client, "web")
		return n == 3 && ready == 210 && all == 230, fmt.Sprintf("slices %d ready %d all %d", n, ready, all)
	})
	time.Sleep(200 * time.Millisecond)
	if n, _, _ := sliceState(t, client, "web"); n != 3 {
		t.Errorf("%d slices after churn, want 3", n)
	}
}

func TestControllerLeavesUnmanagedServicesAlone(t *testing.T) {
	kube := service("kubernetes", func(s *corev1.Service) { s.Spec.Selector = nil; s.Spec.ClusterIP = "10.43.0.1" })
	kubeEP := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes"},
		Subsets:    []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "192.0.2.1"}}, Ports: []corev1.EndpointPort{{Name: "https", Port: 6443}}}},
	}
	manual := service("manual", func(s *corev1.Service) { s.Spec.Selector = nil })
	manualEP := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "manual"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "192.0.2.7"}}}}}
	ext := service("ext", func(s *corev1.Service) {
		s.Spec.Type = corev1.ServiceTypeExternalName
		s.Spec.ExternalName = "example.com"
	})
	client := startController(t, kube, kubeEP, manual, manualEP, ext, service("web"), pod("web-0", "10.42.0.1"))
	eventually(t, "web handled", func() (bool, string) {
		n, _, _ := sliceState(t, client, "web")
		return n == 1, fmt.Sprintf("slices %d", n)
	})
	time.Sleep(100 * time.Millisecond)
	for _, a := range client.Actions() {
		if a.GetVerb() == "list" || a.GetVerb() == "watch" || a.GetVerb() == "get" {
			continue
		}
		switch o := a.(type) {
		case clienttesting.CreateAction:
			if m, _ := o.GetObject().(metav1.Object); m != nil && m.GetName() != "web" && m.GetLabels()[discoveryv1.LabelServiceName] != "web" {
				t.Errorf("unexpected write %s %s %s", a.GetVerb(), a.GetResource().Resource, m.GetName())
			}
		case clienttesting.UpdateAction:
			m, _ := o.GetObject().(metav1.Object)
			t.Errorf("unexpected update %s %s", a.GetResource().Resource, m.GetName())
		case clienttesting.DeleteAction:
			t.Errorf("unexpected delete %s %s", a.GetResource().Resource, o.GetName())
		}
	}
}
