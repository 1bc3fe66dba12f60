package testutil

import (
	"debug/elf"
	"os"
	"os/exec"
	"testing"
)

// RequireRoot skips the test unless it runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// RequireRunc skips the test unless runc is installed, returning its path.
func RequireRunc(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc not installed (apt-get install runc)")
	}
	return p
}

// BusyboxCandidates are where Debian's busybox-static installs the binary.
var BusyboxCandidates = []string{"/bin/busybox", "/usr/bin/busybox"}

// StaticBusybox returns the path of a statically linked busybox, or "" if
// there is none.
func StaticBusybox() string {
	for _, p := range BusyboxCandidates {
		if IsStatic(p) {
			return p
		}
	}
	return ""
}

// RequireBusybox skips the test unless a static busybox is installed.
func RequireBusybox(t testing.TB) string {
	t.Helper()
	p := StaticBusybox()
	if p == "" {
		t.Skip("static busybox not installed (apt-get install busybox-static)")
	}
	return p
}

// IsStatic reports whether path is an ELF executable without an
// interpreter, i.e. one that runs in an empty root filesystem.
func IsStatic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
