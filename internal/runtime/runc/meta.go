package runc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// meta is what berth records about a container in its state directory.
type meta struct {
	ID      string    `json:"id"`
	Bundle  string    `json:"bundle"`
	LogPath string    `json:"logPath"`
	Created time.Time `json:"created"`
	// Set by Start.
	Started      time.Time `json:"started,omitzero"`
	MonitorPID   int       `json:"monitorPID,omitempty"`
	MonitorStart uint64    `json:"monitorStart,omitempty"` // /proc start time: pid reuse guard
}

// Files in a container's state directory.
const (
	metaFile    = "meta.json"
	pidFile     = "pid"      // written by runc once the container runs
	exitFile    = "exit"     // written by the monitor when runc returns
	runcLogFile = "runc.log" // runc's own log (JSON lines)
	monitorLog  = "monitor.log"
)

func readMeta(dir string) (*meta, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, err
	}
	m := &meta{}
	return m, json.Unmarshal(data, m)
}

func writeMeta(dir string, m *meta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, metaFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, metaFile))
}
