package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/agent"
	"github.com/berth-project/berth/internal/cluster"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestNodeCredentials checks that a joined agent acts as its node and
// nothing more: it runs and reports a pod bound to it with its client
// certificate (system:node:<name>), and the same certificate may neither
// write another node's status nor create a Deployment (403 Forbidden).
func TestNodeCredentials(t *testing.T) {
	requireRoot(t)
	w := NewNodeWorldWith(t, NodeWorldOptions{Nodes: 2})
	ctx := context.Background()
	st, err := cluster.LoadState(w.paths)
	if err != nil {
		t.Fatal(err)
	}
	server, node := st.Nodes[0].Name, st.Nodes[1].Name

	// the agent works under its node identity: a pod bound to it runs
	// and is reported Ready, and goes when deleted
	admin := w.Clientset()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "on-node1"}, Spec: corev1.PodSpec{
		NodeSelector: map[string]string{"kubernetes.io/hostname": node},
		Containers:   []corev1.Container{{Name: "c", Image: "testhost"}}}}
	if _, err := admin.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.waitReady(t, "on-node1")

	dir := agent.CredentialsDir(w.paths.AgentRoot(1))
	certPEM, err1 := os.ReadFile(filepath.Join(dir, "node.crt"))
	keyPEM, err2 := os.ReadFile(filepath.Join(dir, "node.key"))
	if err1 != nil || err2 != nil {
		t.Fatalf("agent credentials: %v %v", err1, err2)
	}
	caPEM := w.RESTConfig().TLSClientConfig.CAData
	cfg := &rest.Config{Host: st.APIServer, Dial: dialIn(w.Outside),
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM, CertData: certPEM, KeyData: keyPEM}}
	cs := kubernetes.NewForConfigOrDie(cfg)

	if _, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("node may list pods: %v", err)
	}
	own, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, own, metav1.UpdateOptions{}); err != nil {
		t.Errorf("node may update its own status: %v", err)
	}
	other, err := cs.CoreV1().Nodes().Get(ctx, server, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Nodes().UpdateStatus(ctx, other, metav1.UpdateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "node '"+node+"' cannot modify node '"+server+"'") {
		t.Errorf("updating another node's status: want 403 Forbidden naming both nodes, got %v", err)
	}
	one := int32(1)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "nope"}, Spec: appsv1.DeploymentSpec{Replicas: &one,
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "testhost"}}}}}}
	_, err = cs.AppsV1().Deployments("default").Create(ctx, dep, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `User "system:node:`+node+`" cannot create resource "deployments"`) {
		t.Errorf("creating a Deployment as a node: want 403 Forbidden, got %v", err)
	}
	if _, err := admin.AppsV1().Deployments("default").Get(ctx, "nope", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the forbidden Deployment exists: %v", err)
	}

	if err := admin.CoreV1().Pods("default").Delete(ctx, "on-node1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, "the pod deleted by its node", func() (bool, string) {
		_, err := admin.CoreV1().Pods("default").Get(ctx, "on-node1", metav1.GetOptions{})
		return apierrors.IsNotFound(err), "still there"
	})
}
