package agent

import "github.com/berth-project/berth/internal/runtime/runc"

func runcCreateOptions(logPath string) runc.CreateOptions {
	return runc.CreateOptions{LogPath: logPath}
}

func errRuncNotFound() error { return runc.ErrNotFound }
