package proxy

import (
	"net/netip"
	"syscall"
	"testing"
)

var syscallECONNREFUSED = syscall.ECONNREFUSED

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
