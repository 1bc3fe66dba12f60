package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes what the suite built once for all tests (the berth
// binary, the test images) when it ends.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" && os.Getenv("BERTH_BINARY") == "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	if imagesDir != "" {
		_ = os.RemoveAll(imagesDir)
	}
	os.Exit(code)
}
