package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// The parts of a container directory RootFS uses.
const (
	rootfsName = "rootfs" // the overlay mount point, runc's root.path
	upperName  = "upper"  // the container's writable layer
	workName   = "work"   // overlayfs scratch space
)

// maxMountData is the kernel's limit on mount(2)'s data argument (a page).
const maxMountData = 4095

// overlayOptions builds overlayfs mount data: lowerdir lists the top layer
// first, so the image's layers (bottom first) are reversed.
func overlayOptions(layerDirs []string, upper, work string) (string, error) {
	lower := make([]string, 0, len(layerDirs))
	for i := len(layerDirs) - 1; i >= 0; i-- {
		if strings.ContainsAny(layerDirs[i], ":,") {
			return "", fmt.Errorf("layer path %q has a character overlayfs cannot take", layerDirs[i])
		}
		lower = append(lower, layerDirs[i])
	}
	opts := "lowerdir=" + strings.Join(lower, ":") + ",upperdir=" + upper + ",workdir=" + work
	if len(opts) > maxMountData {
		return "", fmt.Errorf("overlay options for %d layers are %d bytes, over the kernel's %d", len(layerDirs), len(opts), maxMountData)
	}
	return opts, nil
}

// RootFS mounts the root filesystem for a container: an overlayfs of the
// image's layers with a writable layer in containerDir. It returns the mount
// point (containerDir/rootfs). Calling it again for a mounted directory
// returns the same mount.
func (s *Store) RootFS(ctx context.Context, imageRef, containerDir string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	img, err := s.Get(imageRef)
	if err != nil {
		return "", err
	}
	containerDir, err = filepath.Abs(containerDir)
	if err != nil {
		return "", err
	}
	target := filepath.Join(containerDir, rootfsName)
	upper := filepath.Join(containerDir, upperName)
	work := filepath.Join(containerDir, workName)
	for _, d := range []string{target, upper, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	if mounted, err := isMounted(target); err != nil {
		return "", err
	} else if mounted {
		return target, nil
	}
	var dirs []string
	for _, l := range img.Layers {
		d := s.LayerDir(l.DiffID)
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("layer %s of %s: %w", l.DiffID, imageRef, err)
		}
		dirs = append(dirs, d)
	}
	if len(dirs) == 0 { // overlayfs needs a lower layer
		dirs = []string{s.emptyDir()}
	}
	opts, err := overlayOptions(dirs, upper, work)
	if err != nil {
		return "", err
	}
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return "", fmt.Errorf("mounting overlay for %s at %s: %w", imageRef, target, err)
	}
	s.log.Debug("rootfs mounted", "image", imageRef, "target", target, "layers", len(img.Layers))
	return target, nil
}

// ReleaseRootFS unmounts a container's root filesystem and deletes its
// writable layer: a restarted container starts from the image again, as in
// Kubernetes. Other files in containerDir are left to the caller. It is a
// no-op for a directory that was already released.
func (s *Store) ReleaseRootFS(containerDir string) error {
	containerDir, err := filepath.Abs(containerDir)
	if err != nil {
		return err
	}
	target := filepath.Join(containerDir, rootfsName)
	for {
		mounted, err := isMounted(target)
		if err != nil {
			return err
		}
		if !mounted {
			break
		}
		if err := unix.Unmount(target, 0); err != nil {
			if !errors.Is(err, unix.EBUSY) {
				return fmt.Errorf("unmounting %s: %w", target, err)
			}
			// Something (a leftover process's cwd) pins it; detach it so
			// the writable layer can go and the kernel frees it later.
			s.log.Warn("rootfs busy, detaching it", "target", target)
			if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
				return fmt.Errorf("detaching %s: %w", target, err)
			}
		}
	}
	for _, name := range []string{rootfsName, upperName, workName} {
		if err := os.RemoveAll(filepath.Join(containerDir, name)); err != nil {
			return err
		}
	}
	return nil
}
