package volume

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// MountInfo is one line of /proc/<pid>/mountinfo.
type MountInfo struct {
	Root       string // the mounted directory inside its filesystem
	MountPoint string
	FSType     string
	Source     string
	Options    string // per-mount options (ro, nosuid…)
}

// ParseMountInfo reads a mountinfo file: fields 4 and 5 are root and mount
// point, then optional fields up to "-", then type, source and options.
func ParseMountInfo(r io.Reader) ([]MountInfo, error) {
	var out []MountInfo
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+2 >= len(f) {
			continue
		}
		out = append(out, MountInfo{
			Root: unescape(f[3]), MountPoint: unescape(f[4]), Options: f[5],
			FSType: f[sep+1], Source: unescape(f[sep+2]),
		})
	}
	return out, sc.Err()
}

// unescape undoes the kernel's octal escapes (\040 for a space…).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && octal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func octal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return len(s) == 3
}

// FindMount returns the last (topmost) mount at point.
func FindMount(ms []MountInfo, point string) (MountInfo, bool) {
	var found MountInfo
	ok := false
	for _, m := range ms {
		if m.MountPoint == point {
			found, ok = m, true
		}
	}
	return found, ok
}

// ReadMountInfo reads the mount table of the calling thread (the
// process's, unless a test gave the thread a mount namespace of its own).
func ReadMountInfo() ([]MountInfo, error) {
	f, err := os.Open("/proc/thread-self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseMountInfo(f)
}
