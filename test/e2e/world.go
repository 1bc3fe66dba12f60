package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/images"
	"github.com/vishvananda/netns"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// World is a fresh network namespace that stands in for the host: `berth
// cluster create` builds its underlay in the namespace it runs in, so tests
// run it in a world and the host's network is never touched.
//
// Commands run with `nsenter --net`, which switches only the network
// namespace. (`ip netns exec` would also give them a private mount
// namespace, and the node namespaces and mount-namespace pins that create
// mounts would then vanish with the command; a user runs berth in the
// host's mount namespace, and so do the tests.)
type World struct {
	t    testing.TB
	Name string // network namespace name, /run/netns/<Name>
}

// NewWorld creates a world namespace with lo up; it is removed when the
// test ends (register cluster cleanups after this, so they run first).
func NewWorld(t testing.TB) *World {
	t.Helper()
	requireWorldTools(t)
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	w := &World{t: t, Name: "bcw-" + hex.EncodeToString(b)}
	if out, err := exec.Command("ip", "netns", "add", w.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", w.Name, err, out)
	}
	t.Cleanup(w.Close)
	if out, err := exec.Command("ip", "-n", w.Name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up in %s: %v\n%s", w.Name, err, out)
	}
	return w
}

func requireWorldTools(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, mounts)")
	}
	for _, bin := range []string{"ip", "nsenter", "unshare", "umount"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh installs it)", bin)
		}
	}
}

// Command prepares a command that runs in the world's network namespace.
func (w *World) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--net=/run/netns/" + w.Name, "--", name}, args...)...)
}

// Run runs a command in the world and returns its combined output.
func (w *World) Run(name string, args ...string) (string, error) {
	out, err := w.Command(name, args...).CombinedOutput()
	return string(out), err
}

// MustRun is Run that fails the test on error.
func (w *World) MustRun(name string, args ...string) string {
	w.t.Helper()
	out, err := w.Run(name, args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// Dial connects from inside the world: the socket is made on a locked
// thread that has joined the world's namespace (a socket stays in the
// namespace it was created in), then the thread goes back.
func (w *World) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := w.inNetNS(func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	if err != nil && c != nil {
		c.Close()
		c = nil
	}
	return c, err
}

// inNetNS runs fn on a locked thread inside the world's namespace (sockets
// made there stay there).
func (w *World) inNetNS(fn func() error) error {
	target, err := netns.GetFromName(w.Name)
	if err != nil {
		return err
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- fmt.Errorf("returning from the world: %w", err) // the thread dies locked
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Clientset is a client-go clientset for a kubeconfig whose connections
// are made from inside the world.
func (w *World) Clientset(kubeconfig string) kubernetes.Interface {
	w.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		w.t.Fatal(err)
	}
	cfg.Dial = w.Dial
	cfg.Timeout = 10 * time.Second
	cs, err := kubernetes.NewForConfig(rest.CopyConfig(cfg))
	if err != nil {
		w.t.Fatal(err)
	}
	return cs
}

// Links lists the world's network interfaces by name.
func (w *World) Links() []string {
	w.t.Helper()
	out, err := exec.Command("ip", "-n", w.Name, "-o", "link", "show").CombinedOutput()
	if err != nil {
		w.t.Fatalf("ip link in %s: %v\n%s", w.Name, err, out)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 {
			names = append(names, strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
		}
	}
	return names
}

// Close deletes the world namespace (everything in it goes with it).
func (w *World) Close() {
	if w.Name == "" {
		return
	}
	if out, err := exec.Command("ip", "netns", "delete", w.Name).CombinedOutput(); err != nil {
		w.t.Logf("ip netns delete %s: %v\n%s", w.Name, err, out)
	}
	w.Name = ""
}

// WorldImages builds the demo images (busybox, testhost) into a temporary
// directory of the test, for `berth cluster create --images` (the go build
// inside is cached, so this takes about a second).
func WorldImages(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := images.Build(context.Background(), images.Options{OutDir: dir}); err != nil {
		t.Fatalf("building the demo images: %v", err)
	}
	return dir
}
