package volume

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"

	"k8s.io/apimachinery/pkg/api/resource"
)

// DirUsage is the disk space a directory tree takes (allocated blocks,
// as du counts; hard links once), without crossing into other mounts.
func DirUsage(dir string) (int64, error) {
	var root syscall.Stat_t
	if err := syscall.Lstat(dir, &root); err != nil {
		return 0, err
	}
	seen := map[uint64]bool{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished while walking
		}
		var st syscall.Stat_t
		if syscall.Lstat(p, &st) != nil {
			return nil
		}
		if st.Dev != root.Dev {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if st.Nlink > 1 && !d.IsDir() {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		total += st.Blocks * 512
		return nil
	})
	return total, err
}

// EmptyDirOverLimit says whether an emptyDir's usage exceeds its
// sizeLimit and gives the kubelet's eviction message.
func EmptyDirOverLimit(volumeName string, usage int64, limit resource.Quantity) (string, bool) {
	if usage <= limit.Value() {
		return "", false
	}
	return fmt.Sprintf("Usage of EmptyDir volume %q exceeds the limit %q. ", volumeName, limit.String()), true
}
