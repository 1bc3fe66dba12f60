package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"

	"github.com/vishvananda/netns"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// dialIn dials from inside the named network namespace: the socket is
// created there and keeps working from any thread afterwards.
func dialIn(nsName string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		type result struct {
			c   net.Conn
			err error
		}
		ch := make(chan result, 1)
		go func() {
			runtime.LockOSThread()
			orig, err := netns.Get()
			if err != nil {
				ch <- result{nil, err}
				return
			}
			defer orig.Close()
			target, err := netns.GetFromName(nsName)
			if err != nil {
				ch <- result{nil, err}
				runtime.UnlockOSThread()
				return
			}
			defer target.Close()
			if err := netns.Set(target); err != nil {
				ch <- result{nil, err}
				return // the thread stays locked and dies with the goroutine
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if netns.Set(orig) == nil {
				runtime.UnlockOSThread()
			}
			ch <- result{c, err}
		}()
		r := <-ch
		return r.c, r.err
	}
}

// Clientset is a client-go clientset that reaches the node's API from the
// outside namespace.
func (w *NodeWorld) Clientset() kubernetes.Interface {
	w.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", w.Kubeconfig())
	if err != nil {
		w.t.Fatal(err)
	}
	cfg.Dial = dialIn(w.Outside)
	cfg.QPS, cfg.Burst = 1000, 2000
	return kubernetes.NewForConfigOrDie(cfg)
}

// RESTConfig is the same configuration, for other clients.
func (w *NodeWorld) RESTConfig() *rest.Config {
	cfg, err := clientcmd.BuildConfigFromFlags("", w.Kubeconfig())
	if err != nil {
		w.t.Fatal(err)
	}
	cfg.Dial = dialIn(w.Outside)
	return cfg
}

// ServerPID is the pid of the berth server (and its in-process agent).
func (w *NodeWorld) ServerPID() int {
	b, err := os.ReadFile(w.paths.PIDFile(0))
	if err != nil {
		return 0
	}
	var pid int
	fmt.Sscan(strings.TrimSpace(string(b)), &pid)
	return pid
}
