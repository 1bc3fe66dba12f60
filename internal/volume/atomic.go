package volume

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The kubelet's atomic writer layout for configMap, secret, downwardAPI
// and projected volumes, so a reader never sees half an update:
//
//	dir/..2026_11_29_08_40_01.123456789/   the payload of one version
//	dir/..data -> ..2026_11_29_08_40_01.123456789
//	dir/<key>  -> ..data/<key>             one link per top-level name
//
// An update writes a new timestamped directory, swaps ..data with a
// rename, fixes the top-level links and removes the old version.

// File is one file of a volume's payload.
type File struct {
	Data []byte
	Mode os.FileMode
}

const dataDirName = "..data"

// ValidatePayloadPath refuses what the API refuses in item paths: absolute
// paths, ".." elements and names starting with "..".
func ValidatePayloadPath(p string) error {
	if p == "" || filepath.IsAbs(p) {
		return fmt.Errorf("invalid path %q: must be relative and not empty", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." || strings.HasPrefix(el, "..") {
			return fmt.Errorf("invalid path %q: must not contain '..'", p)
		}
	}
	return nil
}

// WriteAtomic makes dir hold exactly payload, atomically, and says whether
// anything changed.
func WriteAtomic(dir string, payload map[string]File) (bool, error) {
	for p := range payload {
		if err := ValidatePayloadPath(p); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	old, _ := os.Readlink(filepath.Join(dir, dataDirName))
	if old != "" && payloadEqual(filepath.Join(dir, old), payload) {
		return false, nil
	}
	ts := ".." + time.Now().UTC().Format("2006_01_02_15_04_05.000000000")
	tsDir := filepath.Join(dir, ts)
	if err := os.Mkdir(tsDir, 0o755); err != nil {
		return false, err
	}
	for p, f := range payload {
		full := filepath.Join(tsDir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return false, err
		}
		if err := os.WriteFile(full, f.Data, f.Mode.Perm()); err != nil {
			return false, err
		}
		if err := os.Chmod(full, f.Mode.Perm()); err != nil { // umask
			return false, err
		}
	}
	tmpLink := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(tmpLink)
	if err := os.Symlink(ts, tmpLink); err != nil {
		return false, err
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, dataDirName)); err != nil {
		return false, err
	}
	want := map[string]bool{}
	for p := range payload {
		want[strings.SplitN(p, "/", 2)[0]] = true
	}
	for name := range want {
		link := filepath.Join(dir, name)
		if target, err := os.Readlink(link); err == nil && target == filepath.Join(dataDirName, name) {
			continue
		}
		_ = os.RemoveAll(link) // a plain file from an older layout
		if err := os.Symlink(filepath.Join(dataDirName, name), link); err != nil {
			return false, err
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		switch {
		case n == dataDirName || n == ts:
		case strings.HasPrefix(n, ".."):
			_ = os.RemoveAll(filepath.Join(dir, n)) // older versions
		case !want[n]:
			_ = os.RemoveAll(filepath.Join(dir, n)) // keys that went away
		}
	}
	return true, nil
}

func payloadEqual(dir string, payload map[string]File) bool {
	seen := 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		f, ok := payload[rel]
		if !ok || info.Mode().Perm() != f.Mode.Perm() {
			return errors.New("differs")
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(b, f.Data) {
			return errors.New("differs")
		}
		seen++
		return nil
	})
	return err == nil && seen == len(payload)
}

// PayloadPaths lists a payload's paths, sorted (for tests and logs).
func PayloadPaths(payload map[string]File) []string {
	out := make([]string, 0, len(payload))
	for p := range payload {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
