package proxy

import (
	"strings"
	"testing"
)

func TestParseModeAndBalance(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeNFTables, "nftables": ModeNFTables, "iptables": ModeIPTables} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]Balance{"": RoundRobin, "round-robin": RoundRobin, "random": Random} {
		if got, err := ParseBalance(in); err != nil || got != want {
			t.Errorf("ParseBalance(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseMode("ipvs"); err == nil || !strings.Contains(err.Error(), `"ipvs"`) {
		t.Errorf("ParseMode(ipvs): %v, want an error naming the value", err)
	}
	if _, err := ParseBalance("least-conn"); err == nil || !strings.Contains(err.Error(), "round-robin") {
		t.Errorf("ParseBalance(least-conn): %v, want an error listing the choices", err)
	}
}
