package agent

import (
	"net"
	"os"
)

func parseIP(s string) net.IP { return net.ParseIP(s) }

func removePodDir(dir string) {
	if err := os.RemoveAll(dir); err != nil {
		// A mount still busy below it; housekeeping tries again.
		_ = err
	}
}
