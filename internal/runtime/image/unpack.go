package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// unpacker applies one layer's tar stream to an empty directory, producing
// the overlayfs form of the layer. Every path operation goes through an
// os.Root so nothing in the tar can reach outside the directory.
type unpacker struct {
	root   *os.Root
	asRoot bool // ownership, devices and trusted.* xattrs need root
	log    *slog.Logger
	dirs   []dirTimes // applied last: creating children changes a dir's mtime
}

type dirTimes struct {
	name         string
	atime, mtime time.Time
}

// unpackLayer writes the uncompressed layer tar read from r into dir, which
// must exist and be empty.
func unpackLayer(r io.Reader, dir string, log *slog.Logger) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	u := &unpacker{root: root, asRoot: os.Geteuid() == 0, log: log}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading layer: %w", err)
		}
		if err := u.apply(hdr, tr); err != nil {
			return fmt.Errorf("layer entry %q: %w", hdr.Name, err)
		}
	}
	for i := len(u.dirs) - 1; i >= 0; i-- {
		d := u.dirs[i]
		if err := u.setTimes(d.name, d.atime, d.mtime); err != nil {
			return fmt.Errorf("layer entry %q: %w", d.name, err)
		}
	}
	return nil
}

func (u *unpacker) apply(hdr *tar.Header, content io.Reader) error {
	name, err := cleanEntryName(hdr.Name)
	if err != nil {
		return err
	}
	kind, target := classifyEntry(name)
	switch kind {
	case entryIgnore:
		return nil
	case entryWhiteout:
		return u.whiteout(target)
	case entryOpaque:
		return u.opaque(target)
	}
	if name != "." {
		if err := u.root.MkdirAll(path.Dir(name), 0o755); err != nil {
			return err
		}
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := u.removeExisting(name, true); err != nil {
			return err
		}
		if err := u.root.Mkdir(name, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	case tar.TypeReg, tar.TypeRegA:
		if err := u.removeExisting(name, false); err != nil {
			return err
		}
		if err := u.writeFile(name, content); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := u.removeExisting(name, false); err != nil {
			return err
		}
		// The target is stored as is; it is resolved inside the container's
		// root at run time, never here.
		if err := u.root.Symlink(hdr.Linkname, name); err != nil {
			return err
		}
	case tar.TypeLink:
		target, err := cleanEntryName(hdr.Linkname)
		if err != nil {
			return err
		}
		if err := u.removeExisting(name, false); err != nil {
			return err
		}
		return u.root.Link(target, name) // shares the target's metadata
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if err := u.removeExisting(name, false); err != nil {
			return err
		}
		if err := u.mknod(name, hdr); err != nil {
			if !u.asRoot && hdr.Typeflag != tar.TypeFifo {
				u.log.Warn("skipping device node: not root", "path", name)
				return nil
			}
			return err
		}
	default:
		u.log.Debug("skipping tar entry of unsupported type", "path", name, "type", hdr.Typeflag)
		return nil
	}
	return u.setMetadata(name, hdr)
}

// removeExisting makes room for a new entry: a later entry replaces an
// earlier one of the same name, except that a directory meeting a directory
// keeps its contents.
func (u *unpacker) removeExisting(name string, isDir bool) error {
	if name == "." {
		return nil
	}
	fi, err := u.root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if isDir && fi.IsDir() {
		return nil
	}
	return u.root.RemoveAll(name)
}

func (u *unpacker) writeFile(name string, content io.Reader) error {
	f, err := u.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// whiteout records that target is deleted in this layer: overlayfs reads a
// 0/0 character device as "not here".
func (u *unpacker) whiteout(target string) error {
	if !u.asRoot {
		return fmt.Errorf("whiteout for %q needs root to create an overlay whiteout device", target)
	}
	if target == "." {
		return fmt.Errorf("whiteout of the layer root")
	}
	if err := u.root.MkdirAll(path.Dir(target), 0o755); err != nil {
		return err
	}
	if err := u.removeExisting(target, false); err != nil {
		return err
	}
	return u.atParent(target, func(dirfd int, base string) error {
		return unix.Mknodat(dirfd, base, unix.S_IFCHR, int(unix.Mkdev(0, 0)))
	})
}

// opaque marks target so overlayfs hides what lower layers have in it.
func (u *unpacker) opaque(target string) error {
	if !u.asRoot {
		return fmt.Errorf("opaque directory %q needs root for trusted.overlay xattrs", target)
	}
	if err := u.root.MkdirAll(target, 0o755); err != nil {
		return err
	}
	return u.atParent(target, func(dirfd int, base string) error {
		return unix.Lsetxattr(fdPath(dirfd, base), overlayOpaqueXattr, []byte("y"), 0)
	})
}

func (u *unpacker) mknod(name string, hdr *tar.Header) error {
	mode := uint32(unix.S_IFIFO)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode = unix.S_IFCHR
	case tar.TypeBlock:
		mode = unix.S_IFBLK
	}
	dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
	return u.atParent(name, func(dirfd int, base string) error {
		return unix.Mknodat(dirfd, base, mode|uint32(hdr.Mode&0o7777), dev)
	})
}

// setMetadata applies ownership, mode, xattrs and times from the header.
func (u *unpacker) setMetadata(name string, hdr *tar.Header) error {
	isLink := hdr.Typeflag == tar.TypeSymlink
	if u.asRoot {
		if err := u.root.Lchown(name, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	// chmod after chown: chown clears setuid/setgid bits.
	if !isLink {
		mode := hdr.FileInfo().Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		if err := u.root.Chmod(name, mode); err != nil {
			return err
		}
	}
	for key, value := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(key, "SCHILY.xattr.")
		if !ok {
			continue
		}
		if strings.HasPrefix(attr, overlayXattrPrefix) {
			u.log.Warn("ignoring overlay xattr carried by a layer", "path", name, "xattr", attr)
			continue
		}
		err := u.atParent(name, func(dirfd int, base string) error {
			return unix.Lsetxattr(fdPath(dirfd, base), attr, []byte(value), 0)
		})
		if err != nil {
			if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EPERM) {
				u.log.Debug("cannot set xattr", "path", name, "xattr", attr, "err", err)
				continue
			}
			return fmt.Errorf("xattr %s: %w", attr, err)
		}
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		u.dirs = append(u.dirs, dirTimes{name, atime, hdr.ModTime})
		return nil
	}
	return u.setTimes(name, atime, hdr.ModTime)
}

func (u *unpacker) setTimes(name string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return u.atParent(name, func(dirfd int, base string) error {
		return unix.UtimesNanoAt(dirfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
	})
}

// atParent runs fn with a descriptor of name's parent directory, opened
// through the root so it cannot be outside it, and name's last element.
// Acting relative to that descriptor never follows a symlink in the last
// element.
func (u *unpacker) atParent(name string, fn func(dirfd int, base string) error) error {
	dir, base := path.Dir(name), path.Base(name)
	if name == "." {
		dir, base = ".", "."
	}
	d, err := u.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(int(d.Fd()), base)
}

// fdPath names base inside the directory open as dirfd, for the xattr calls
// that have no *at form.
func fdPath(dirfd int, base string) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", dirfd, base)
}
