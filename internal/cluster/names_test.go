package cluster

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"berth", true},
		{"t1", true},
		{"a-b-c", true},
		{"", false},
		{"Upper", false},
		{"-x", false},
		{"x-", false},
		{"a.b", false},
		{"a/b", false},
		{strings.Repeat("a", 40), true},
		{strings.Repeat("a", 41), false},
	} {
		if err := ValidateName(tc.name); (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("z", 40)
	for _, c := range []string{"berth", "t1", long} {
		br := BridgeName(c)
		if len(br) > 15 || !strings.HasPrefix(br, "bth-") {
			t.Errorf("BridgeName(%q) = %q", c, br)
		}
		for _, i := range []int{0, 9, 10, MaxNodes - 1} {
			v := HostVethName(c, i)
			if len(v) > 15 {
				t.Errorf("HostVethName(%q, %d) = %q is longer than 15 bytes", c, i, v)
			}
			if v == br {
				t.Errorf("veth and bridge share the name %q", v)
			}
		}
		if HostVethName(c, 1) == HostVethName(c, 11) {
			t.Errorf("veth names collide")
		}
	}
	if BridgeName("a") == BridgeName("b") {
		t.Error("different clusters share a bridge name")
	}
	if BridgeName("t1") != BridgeName("t1") {
		t.Error("bridge name is not deterministic")
	}
	if got := NodeNetNS("t1", 2); got != "berth-t1-node2" {
		t.Errorf("NodeNetNS = %q", got)
	}
	if got := NodeName("t1", 0); got != "t1-node0" {
		t.Errorf("NodeName = %q", got)
	}
	if got := ContextName("t1"); got != "berth-t1" {
		t.Errorf("ContextName = %q", got)
	}
}

func TestParseNodeNetNS(t *testing.T) {
	for _, tc := range []struct {
		cluster, ns string
		i           int
		ok          bool
	}{
		{"t1", "berth-t1-node0", 0, true},
		{"t1", "berth-t1-node12", 12, true},
		{"t1", "berth-t1-node", 0, false},
		{"t1", "berth-t1-node01", 0, false},
		{"t1", "berth-t1-node-1", 0, false},
		{"t1", "berth-t1-nodex", 0, false},
		{"t1", "berth-t1-node0-node0", 0, false},
		{"t1", "berth-t2-node0", 0, false},
		{"t1", "berth-t1-x-node0", 0, false},
		{"t1-x", "berth-t1-x-node3", 3, true},
	} {
		i, ok := parseNodeNetNS(tc.cluster, tc.ns)
		if ok != tc.ok || (ok && i != tc.i) {
			t.Errorf("parseNodeNetNS(%q, %q) = %d, %v; want %d, %v", tc.cluster, tc.ns, i, ok, tc.i, tc.ok)
		}
	}
}

func TestAliasOwned(t *testing.T) {
	if !aliasOwned("", "t1") || !aliasOwned(linkAlias("t1"), "t1") {
		t.Error("own or unlabelled link not owned")
	}
	if aliasOwned(linkAlias("t2"), "t1") || aliasOwned("something", "t1") {
		t.Error("foreign link owned")
	}
}
