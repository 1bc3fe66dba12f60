package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// parseMountPoints returns the mount points (field 5) of a
// /proc/<pid>/mountinfo, unescaped, in file order.
func parseMountPoints(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		out = append(out, unescapeMountField(f[4]))
	}
	return out, sc.Err()
}

// unescapeMountField undoes the kernel's octal escapes (\040 for a space…).
func unescapeMountField(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1:i+4]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

// mountsUnder returns the mount points at or below any of dirs, deepest
// (longest) first and each once — the order to unmount them in.
func mountsUnder(points []string, dirs ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range points {
		if seen[m] {
			continue
		}
		for _, d := range dirs {
			if d == "" {
				continue
			}
			d = filepath.Clean(d)
			if m == d || strings.HasPrefix(m, d+"/") {
				seen[m] = true
				out = append(out, m)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// readMountPoints lists the mount points of this process's mount namespace.
func readMountPoints() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMountPoints(f)
}

// unmountUnder detaches every mount at or below dirs in this mount
// namespace, deepest first; a mount stacked several times is unmounted
// until it is gone. It fails if anything is still mounted afterwards, so
// callers never remove a directory tree that still has mounts in it.
func unmountUnder(dirs ...string) error {
	for round := 0; round < 8; round++ {
		points, err := readMountPoints()
		if err != nil {
			return err
		}
		todo := mountsUnder(points, dirs...)
		if len(todo) == 0 {
			return nil
		}
		for _, m := range todo {
			slog.Debug("cluster: unmount", "path", m)
			if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
				slog.Warn("cluster: unmount failed", "path", m, "err", err)
			}
		}
	}
	points, err := readMountPoints()
	if err != nil {
		return err
	}
	if left := mountsUnder(points, dirs...); len(left) > 0 {
		return fmt.Errorf("still mounted: %s", strings.Join(left, ", "))
	}
	return nil
}
