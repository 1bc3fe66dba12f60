package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/test/e2e"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestScaleReport scales a Deployment 0 → 100 → 0 on a one-node cluster and
// reports the time to all Ready and to all gone, with the API requests
// served meanwhile (from the server's apiserver_request_total), by
// resource and verb.
//
//	sudo BERTH_BENCH=1 go test -run TestScaleReport -v -timeout 20m ./bench/
func TestScaleReport(t *testing.T) {
	if os.Getenv("BERTH_BENCH") != "1" {
		t.Skip("set BERTH_BENCH=1 to run the scale report")
	}
	w := e2e.NewNodeWorld(t)
	cs := w.Clientset()
	ctx := context.Background()
	zero := int32(0)
	grace := int64(1)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "scale"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &zero,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "scale"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "scale"}},
				Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []corev1.Container{{
					Name: "c", Image: "testhost", ImagePullPolicy: corev1.PullIfNotPresent}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := requestCounts(t, cs)
	start := time.Now()
	scaleTo(t, cs, 100)
	waitCount(t, cs, 100, true)
	up := time.Since(start)
	mid := requestCounts(t, cs)
	start = time.Now()
	scaleTo(t, cs, 0)
	waitCount(t, cs, 0, false)
	down := time.Since(start)
	after := requestCounts(t, cs)
	t.Logf("\n| step | time | API requests |\n|---|---|---|\n| 0 → 100 Ready | %v | %s |\n| 100 → 0 gone | %v | %s |\n",
		up.Round(time.Millisecond), diff(before, mid), down.Round(time.Millisecond), diff(mid, after))
}

func scaleTo(t *testing.T, cs kubernetes.Interface, n int32) {
	s, err := cs.AppsV1().Deployments("default").GetScale(context.Background(), "scale", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Spec.Replicas = n
	if _, err := cs.AppsV1().Deployments("default").UpdateScale(context.Background(), "scale", s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func waitCount(t *testing.T, cs kubernetes.Interface, n int, ready bool) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		pods, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=scale"})
		if err == nil {
			count := 0
			for _, p := range pods.Items {
				if !ready {
					count++
					continue
				}
				if isReady(&p) && p.DeletionTimestamp == nil {
					count++
				}
			}
			if count == n && (ready || len(pods.Items) == 0) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("never reached %d pods", n)
}

// requestCounts reads apiserver_request_total by resource and verb.
func requestCounts(t *testing.T, cs kubernetes.Interface) map[string]float64 {
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		labels := line[strings.Index(line, "{")+1 : strings.LastIndex(line, "}")]
		val, _ := strconv.ParseFloat(strings.TrimSpace(line[strings.LastIndex(line, "}")+1:]), 64)
		var res, verb, sub string
		for _, kv := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "resource":
				res = v
			case "verb":
				verb = v
			case "subresource":
				sub = v
			}
		}
		if sub != "" {
			res += "/" + sub
		}
		out[res+" "+verb] += val
	}
	return out
}

func diff(a, b map[string]float64) string {
	var parts []string
	total := 0.0
	for k, v := range b {
		if d := v - a[k]; d > 0 && !strings.HasPrefix(k, " ") {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, d))
			total += d
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%.0f total: %s", total, strings.Join(parts, ", "))
}
