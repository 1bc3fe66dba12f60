package image

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// mountEntry is the part of a /proc/self/mountinfo line the store needs.
type mountEntry struct {
	MountPoint   string
	FSType       string
	Source       string
	SuperOptions string
}

// parseMountInfo reads mountinfo(5) lines:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
func parseMountInfo(r io.Reader) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if sep < 0 || len(fields) < sep+3 {
			continue
		}
		e := mountEntry{MountPoint: unescapeMountField(fields[4]), FSType: fields[sep+1],
			Source: unescapeMountField(fields[sep+2])}
		if len(fields) > sep+3 {
			e.SuperOptions = unescapeMountField(fields[sep+3])
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// unescapeMountField undoes the kernel's octal escapes (\040 for a space).
func unescapeMountField(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// overlayLowerDirs collects every lowerdir of every overlay mount: those
// layer trees are in use and must stay.
func overlayLowerDirs(mounts []mountEntry) map[string]bool {
	out := map[string]bool{}
	for _, m := range mounts {
		if m.FSType != "overlay" {
			continue
		}
		for _, opt := range strings.Split(m.SuperOptions, ",") {
			if v, ok := strings.CutPrefix(opt, "lowerdir="); ok {
				for _, d := range strings.Split(v, ":") {
					out[d] = true
				}
			}
		}
	}
	return out
}

// readMounts parses this process's mount table.
func readMounts() ([]mountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMountInfo(f)
}

// isMounted reports whether path is a mount point.
func isMounted(path string) (bool, error) {
	mounts, err := readMounts()
	if err != nil {
		return false, err
	}
	for _, m := range mounts {
		if m.MountPoint == path {
			return true, nil
		}
	}
	return false, nil
}
