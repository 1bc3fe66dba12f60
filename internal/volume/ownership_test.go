package volume

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestOwnershipMode(t *testing.T) {
	for _, tc := range []struct {
		in      fs.FileMode
		dir, ro bool
		want    fs.FileMode
	}{
		{0o600, false, false, 0o660},
		{0o755, true, false, 0o775 | fs.ModeSetgid},
		{0o600, false, true, 0o640},
		{0o700, true, true, 0o750 | fs.ModeSetgid},
	} {
		if got := OwnershipMode(tc.in, tc.dir, tc.ro); got != tc.want {
			t.Errorf("OwnershipMode(%v, dir=%v, ro=%v) = %v, want %v", tc.in, tc.dir, tc.ro, got, tc.want)
		}
	}
	if !OwnershipSettled(2000, 0o775|fs.ModeSetgid, 2000, false) || OwnershipSettled(0, 0o775|fs.ModeSetgid, 2000, false) ||
		OwnershipSettled(2000, 0o755, 2000, false) {
		t.Error("OwnershipSettled")
	}
}

func TestSetOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chgrp to another group needs root")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetOwnership(dir, 2345, false, nil); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{"": 0o770, "sub": 0o770, "sub/f": 0o660} {
		info, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if info.Sys().(*syscall.Stat_t).Gid != 2345 || info.Mode().Perm()&want != want {
			t.Errorf("%s: gid %d mode %v", p, info.Sys().(*syscall.Stat_t).Gid, info.Mode())
		}
		if info.IsDir() && info.Mode()&fs.ModeSetgid == 0 {
			t.Errorf("%s: no setgid", p)
		}
	}
	// OnRootMismatch leaves a settled volume alone
	if err := os.Chmod(filepath.Join(dir, "sub", "f"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := corev1.FSGroupChangeOnRootMismatch
	if err := SetOwnership(dir, 2345, false, &p); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(filepath.Join(dir, "sub", "f")); info.Mode().Perm() != 0o600 {
		t.Errorf("OnRootMismatch walked a settled volume: %v", info.Mode())
	}
}
