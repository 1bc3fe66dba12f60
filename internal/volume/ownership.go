package volume

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	corev1 "k8s.io/api/core/v1"
)

// fsGroup ownership, as the kubelet applies it to emptyDir and PV-backed
// volumes: every file gets the group fsGroup and group read/write (read
// only for read-only volumes); directories also group execute and setgid,
// so new files inherit the group.

const (
	rwMask = 0o660
	roMask = 0o440
	exMask = 0o110
)

// OwnershipMode is the mode a file of the volume gets.
func OwnershipMode(mode fs.FileMode, dir, readOnly bool) fs.FileMode {
	mask := fs.FileMode(rwMask)
	if readOnly {
		mask = roMask
	}
	if dir {
		mask |= fs.ModeSetgid | exMask
	}
	return mode | mask
}

// OwnershipSettled says whether OnRootMismatch may skip the walk: the
// root already has the group and the permissions.
func OwnershipSettled(rootGid uint32, rootMode fs.FileMode, fsGroup int64, readOnly bool) bool {
	want := OwnershipMode(rootMode, true, readOnly)
	return int64(rootGid) == fsGroup && rootMode&(fs.ModePerm|fs.ModeSetgid) == want&(fs.ModePerm|fs.ModeSetgid)
}

// SetOwnership applies fsGroup to the volume at dir (policy Always, the
// default, walks everything; OnRootMismatch only when the root differs).
// It does not follow symlinks or cross into other mounts.
func SetOwnership(dir string, fsGroup int64, readOnly bool, policy *corev1.PodFSGroupChangePolicy) error {
	var root syscall.Stat_t
	if err := syscall.Lstat(dir, &root); err != nil {
		return err
	}
	if policy != nil && *policy == corev1.FSGroupChangeOnRootMismatch {
		info, err := os.Lstat(dir)
		if err != nil {
			return err
		}
		if OwnershipSettled(root.Gid, info.Mode(), fsGroup, readOnly) {
			return nil
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Dev != root.Dev {
			return filepath.SkipDir
		}
		if err := os.Lchown(p, -1, int(fsGroup)); err != nil {
			return err
		}
		return os.Chmod(p, OwnershipMode(info.Mode(), d.IsDir(), readOnly))
	})
}
