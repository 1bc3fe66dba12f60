package ipam

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Names of the bookkeeping files in the state directory. They all start with
// a dot, so they can never be mistaken for an address file.
const (
	lockFileName = ".lock"
	lastFileName = ".last_reserved"
	tmpPrefix    = ".tmp-"
)

// lockDir takes an exclusive flock on the state directory's lock file and
// returns the function that releases it. flock locks belong to the open file
// description, so two Allocators in one process exclude each other as well
// as two processes do.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ipam: open lock file: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ipam: lock %s: %w", dir, err)
	}
	// Closing the file drops the lock.
	return func() { f.Close() }, nil
}

// writeFileAtomic replaces dir/name with data so that a crash leaves either
// the old content or the new one: write a temporary file, fsync it, rename
// it over the target, then fsync the directory so the rename itself is
// durable.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmpName, filepath.Join(dir, name)); err != nil {
		return err
	}
	ok = true
	return syncDir(dir)
}

// removeFileDurable removes dir/name (missing is fine) and fsyncs dir.
func removeFileDurable(dir, name string) error {
	if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeStaleTemps deletes temporary files left behind by a crash between
// CreateTemp and Rename. Must be called with the directory lock held, so no
// live writer can own them.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
				slog.Debug("ipam: removed stale temporary file", "dir", dir, "file", e.Name())
			}
		}
	}
}
