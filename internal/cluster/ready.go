package cluster

import (
	"context"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// errExited reports a node process that ended while create waited on it.
type errExited struct{ node, log string }

func (e errExited) Error() string {
	return fmt.Sprintf("%s exited; last lines of its log:\n%s", e.node, e.log)
}

// poll calls check every interval until it returns true, ctx ends or one of
// the watched node processes exits.
func poll(ctx context.Context, interval time.Duration, procs map[string]*nodeProcess, logs map[string]string, check func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last error
	for {
		done, err := check()
		if done {
			return nil
		}
		if err != nil {
			last = err
		}
		for name, p := range procs {
			select {
			case <-p.Done:
				return errExited{node: name, log: tailFile(logs[name], 20)}
			default:
			}
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			}
			return ctx.Err()
		case <-t.C:
		}
	}
}

// waitFile waits for a file to appear.
func waitFile(ctx context.Context, path string, procs map[string]*nodeProcess, logs map[string]string) error {
	return poll(ctx, 100*time.Millisecond, procs, logs, func() (bool, error) {
		_, err := os.Stat(path)
		return err == nil, nil
	})
}

// clientFor builds a clientset from a kubeconfig file.
func clientFor(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = 5 * time.Second
	return kubernetes.NewForConfig(cfg)
}

// waitAPI waits until /readyz answers ok and the system namespaces (made
// by a post-start hook) exist.
func waitAPI(ctx context.Context, cs kubernetes.Interface, procs map[string]*nodeProcess, logs map[string]string) error {
	return poll(ctx, 250*time.Millisecond, procs, logs, func() (bool, error) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, err
		}
		if string(body) != "ok" {
			return false, fmt.Errorf("readyz: %s", body)
		}
		for _, ns := range []string{metav1.NamespaceSystem, metav1.NamespaceDefault} {
			if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// nodesReady reports which of names are missing or not Ready in list.
func nodesNotReady(list []corev1.Node, names []string) []string {
	ready := map[string]bool{}
	for _, n := range list {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready[n.Name] = true
			}
		}
	}
	var out []string
	for _, n := range names {
		if !ready[n] {
			out = append(out, n)
		}
	}
	return out
}

// waitNodesReady waits until every named Node reports Ready.
func waitNodesReady(ctx context.Context, cs kubernetes.Interface, names []string, procs map[string]*nodeProcess, logs map[string]string) error {
	return poll(ctx, 500*time.Millisecond, procs, logs, func() (bool, error) {
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		if left := nodesNotReady(list.Items, names); len(left) > 0 {
			return false, fmt.Errorf("not Ready yet: %v", left)
		}
		return true, nil
	})
}
