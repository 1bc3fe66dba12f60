package volume

import "path/filepath"

// Layout is where a node keeps backing storage (persistent, under the
// agent's root dir) and staging mounts (runtime, under its run dir), as the
// storage contract fixes them.
type Layout struct {
	RootDir string // <agent root-dir>
	RunDir  string // <agent run-dir>
}

// StorageDir holds all backing storage; its filesystem's size is the
// node's published berth.dev/local-storage capacity.
func (l Layout) StorageDir() string { return filepath.Join(l.RootDir, "storage") }

// LocalPathDir is the directory of a berth.dev/local-path volume.
func (l Layout) LocalPathDir(pv string) string {
	return filepath.Join(l.StorageDir(), "local-path", pv)
}

// ImagePath is the sparse ext4 file of a berth.dev/local-volume volume.
func (l Layout) ImagePath(pv string) string {
	return filepath.Join(l.StorageDir(), "local-volume", pv+".img")
}

// StagingDir is where a local-volume filesystem is mounted once per node.
func (l Layout) StagingDir(pv string) string {
	return filepath.Join(l.RunDir, "storage", "local-volume", pv)
}
