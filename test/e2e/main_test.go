package e2e

import (
	"os"
	"testing"
)

// TestMain removes what the suite built once for all tests (the berth
// binary, the test images) when it ends.
func TestMain(m *testing.M) {
	code := m.Run()
	RemoveBuilt()
	os.Exit(code)
}
