package proxy

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Helpers for the root tests. Every root test works only inside network
// namespaces it creates itself (bind-mounted under t.TempDir()); the host
// namespace is never entered, and every namespace is removed by t.Cleanup,
// also when the test fails.

// needRootNft skips unless we are root, can make a namespace and nft(8)
// works inside it.
func needRootNft(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, nftables)")
	}
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("needs nft(8)")
	}
	ns := newNetNS(t, "probe")
	if out, err := exec.Command("nsenter", "--net="+ns, "nft", "list", "ruleset").CombinedOutput(); err != nil {
		t.Skipf("nft does not work in a fresh namespace: %v: %s", err, out)
	}
}

// newNetNS creates a fresh network namespace bind-mounted at a temp path.
func newNetNS(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+"-netns")
	if err := os.WriteFile(path, nil, 0o444); err != nil {
		t.Fatal(err)
	}
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
		n, err := netns.New()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		n.Close()
		merr := unix.Mount(fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid()), path, "none", unix.MS_BIND, "")
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(merr, err)
			return // the locked thread dies
		}
		runtime.UnlockOSThread()
		errc <- merr
	}()
	if err := <-errc; err != nil {
		t.Skipf("cannot create a network namespace: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", path, err)
		}
		os.Remove(path)
	})
	return path
}

// runIn runs a command inside the namespace and returns its output.
func runIn(t testing.TB, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("nsenter", append([]string{"--net=" + ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// nftList lists the proxy table in a namespace.
func nftList(t testing.TB, ns string) string {
	t.Helper()
	return runIn(t, ns, "nft", "list", "table", "ip", TableName)
}

// needIPTables skips unless iptables-save/-restore are installed.
func needIPTables(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"iptables-save", "iptables-restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
}
