package images

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// epoch is every timestamp in the images: fixed, so digests are stable.
var epoch = time.Unix(0, 0).UTC()

// entry is one file system object of a layer.
type entry struct {
	path string      // relative, no leading slash
	mode fs.FileMode // permission bits plus fs.ModeDir / fs.ModeSymlink
	data []byte      // regular file content
	link string      // symlink target
}

func dir(p string, perm fs.FileMode) entry            { return entry{path: p, mode: fs.ModeDir | perm} }
func file(p string, perm fs.FileMode, b []byte) entry { return entry{path: p, mode: perm, data: b} }
func symlink(p, target string) entry {
	return entry{path: p, mode: fs.ModeSymlink | 0o777, link: target}
}

// layerTar writes entries as an uncompressed layer tar: sorted by path
// (so parents come first), owned by root, all times at epoch.
func layerTar(entries []entry) ([]byte, error) {
	sorted := append([]entry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].path < sorted[j].path })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range sorted {
		hdr := &tar.Header{
			Name:    strings.TrimPrefix(path.Clean("/"+e.path), "/"),
			Mode:    int64(e.mode.Perm()),
			ModTime: epoch,
			Format:  tar.FormatPAX,
		}
		switch {
		case e.mode.IsDir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		case e.mode&fs.ModeSymlink != 0:
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.link
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.data))
		}
		if e.mode&fs.ModeSticky != 0 {
			hdr.Mode |= 0o1000
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
