package lbannounce

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
)

// TestRootResponder: two namespaces on a veth pair; the responder in "a"
// answers ARP for an address it does not own, sends gratuitous ARP that
// overrides a stale neighbour entry in "b", and stops answering when
// withdrawn.
func TestRootResponder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	nsA, nsB := "lbt-a-"+suffix, "lbt-b-"+suffix
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, ns := range []string{nsA, nsB} {
		run("ip", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
	}
	run("ip", "-n", nsA, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", nsB)
	run("ip", "-n", nsA, "addr", "add", "192.0.2.1/24", "dev", "eth0")
	run("ip", "-n", nsB, "addr", "add", "192.0.2.2/24", "dev", "eth0")
	run("ip", "-n", nsA, "link", "set", "eth0", "up")
	run("ip", "-n", nsB, "link", "set", "eth0", "up")
	macA := strings.Fields(run("ip", "-n", nsA, "-br", "link", "show", "eth0"))[2]

	vip := netip.MustParseAddr("192.0.2.200")
	r := newResponder(slog.Default())
	t.Cleanup(r.Close)
	inNamespace(t, nsA, func() {
		// A stale entry in b first: the gratuitous ARP must replace it.
		run("ip", "-n", nsB, "neigh", "replace", vip.String(), "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale")
		if err := r.Announce("eth0", vip); err != nil {
			t.Fatal(err)
		}
	})
	neigh := func() string { return run("ip", "-n", nsB, "neigh", "show", vip.String(), "dev", "eth0") }
	waitFor(t, "gratuitous ARP updates b's entry", func() bool { return strings.Contains(neigh(), macA) })

	// A fresh resolution is answered too.
	run("ip", "-n", nsB, "neigh", "flush", "dev", "eth0")
	sendUDP(t, nsB, vip)
	waitFor(t, "ARP request answered", func() bool { return strings.Contains(neigh(), macA) })

	r.Withdraw("eth0", vip)
	run("ip", "-n", nsB, "neigh", "flush", "dev", "eth0")
	sendUDP(t, nsB, vip)
	time.Sleep(1500 * time.Millisecond) // the kernel's ARP retries
	if n := neigh(); strings.Contains(n, macA) {
		t.Errorf("after Withdraw b still resolves %s: %s", vip, n)
	}
}

// sendUDP makes b's kernel resolve ip (no ping on these machines).
func sendUDP(t *testing.T, ns string, ip netip.Addr) {
	t.Helper()
	inNamespace(t, ns, func() {
		c, err := net.Dial("udp", netip.AddrPortFrom(ip, 9).String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = c.Write([]byte("x"))
	})
}

func inNamespace(t *testing.T, name string, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	target, err := netns.GetFromName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			panic(err) // the thread is in the wrong namespace; do not let it run anything else
		}
	}()
	fn()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
