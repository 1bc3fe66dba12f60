package volume

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountFlagNames are the mount(8) options that are flags, not filesystem
// data.
var mountFlagNames = map[string]struct {
	flag  uintptr
	clear bool
}{
	"ro": {unix.MS_RDONLY, false}, "rw": {unix.MS_RDONLY, true},
	"nosuid": {unix.MS_NOSUID, false}, "suid": {unix.MS_NOSUID, true},
	"nodev": {unix.MS_NODEV, false}, "dev": {unix.MS_NODEV, true},
	"noexec": {unix.MS_NOEXEC, false}, "exec": {unix.MS_NOEXEC, true},
	"sync": {unix.MS_SYNCHRONOUS, false}, "async": {unix.MS_SYNCHRONOUS, true},
	"noatime": {unix.MS_NOATIME, false}, "atime": {unix.MS_NOATIME, true},
	"nodiratime": {unix.MS_NODIRATIME, false}, "diratime": {unix.MS_NODIRATIME, true},
	"relatime": {unix.MS_RELATIME, false}, "norelatime": {unix.MS_RELATIME, true},
	"strictatime": {unix.MS_STRICTATIME, false},
	"dirsync":     {unix.MS_DIRSYNC, false},
	"defaults":    {0, false},
}

// MountFlags splits a PV's mountOptions into mount(2) flags and the
// filesystem's data string, as mount(8) does. Options may be given one per
// entry or comma-separated.
func MountFlags(opts []string) (uintptr, string) {
	var flags uintptr
	var data []string
	for _, o := range opts {
		for _, part := range strings.Split(o, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if f, ok := mountFlagNames[part]; ok {
				if f.clear {
					flags &^= f.flag
				} else {
					flags |= f.flag
				}
				continue
			}
			data = append(data, part)
		}
	}
	return flags, strings.Join(data, ",")
}
