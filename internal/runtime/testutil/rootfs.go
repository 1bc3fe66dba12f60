package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// BusyboxApplets are linked in test root filesystems.
var BusyboxApplets = []string{"sh", "echo", "cat", "sleep", "hostname", "ls", "id", "env", "true", "false", "ps", "kill", "wc", "head", "yes"}

// BusyboxRootFS fills dir with a minimal root filesystem: a static busybox
// as /bin/busybox with applet links, /etc/passwd and /etc/group, and the
// mount points runc needs.
func BusyboxRootFS(t testing.TB, dir string) {
	t.Helper()
	bb := RequireBusybox(t)
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp", "root"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range BusyboxApplets {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
