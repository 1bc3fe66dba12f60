package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Bad --proxy-* values are rejected before anything starts (no server, no
// data directory, no agent).
func TestProxyFlagsRejected(t *testing.T) {
	for name, mk := range map[string]func() *cobra.Command{"agent": agentCommand, "server": serverCommand} {
		for _, args := range [][]string{{"--proxy-mode", "ipvs"}, {"--proxy-balance", "least-conn"}} {
			cmd := mk()
			cmd.SetArgs(append(args, "--data-dir", t.TempDir()+"/never"))
			if name == "agent" {
				cmd.SetArgs(args)
			}
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), args[0]) || !strings.Contains(err.Error(), args[1]) {
				t.Errorf("%s %v: %v, want an error naming the flag and value", name, args, err)
			}
		}
	}
}
