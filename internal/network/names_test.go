package network

import (
	"net"
	"regexp"
	"strings"
	"testing"
)

func TestHostVethName(t *testing.T) {
	re := regexp.MustCompile(`^veth[0-9a-f]{8}$`)
	seen := map[string]string{}
	for _, id := range []string{"a", "b", strings.Repeat("f", 64), "pod-1", "pod-2"} {
		n := HostVethName(id)
		if !re.MatchString(n) || len(n) > 15 {
			t.Fatalf("HostVethName(%q) = %q: not veth+8 hex", id, n)
		}
		if n != HostVethName(id) {
			t.Fatalf("HostVethName(%q) not deterministic", id)
		}
		if prev, dup := seen[n]; dup {
			t.Fatalf("%q and %q both map to %s", prev, id, n)
		}
		seen[n] = id
	}
	// Pinned so a change of scheme (which would orphan existing veths on
	// upgrade) is a conscious one.
	if got := HostVethName("abc"); got != "vethba7816bf" {
		t.Fatalf("HostVethName(abc) = %s, want vethba7816bf (sha256 prefix)", got)
	}
}

func TestValidateSandboxID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{strings.Repeat("0123456789abcdef", 4), true},
		{"pod_a-1.2", true},
		{"A", true},
		{"", false},
		{".", false},
		{"..", false},
		{".hidden", false},
		{"-x", false},
		{"a/b", false},
		{"../etc", false},
		{"a b", false},
		{"ü", false},
		{strings.Repeat("a", maxSandboxIDLen), true},
		{strings.Repeat("a", maxSandboxIDLen+1), false},
	}
	for _, tt := range tests {
		if err := ValidateSandboxID(tt.id); (err == nil) != tt.ok {
			t.Errorf("ValidateSandboxID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
	}
}

func TestValidateLinkName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"berth0", true},
		{"br.pods", true},
		{"123456789012345", true},
		{"1234567890123456", false},
		{"", false},
		{".", false},
		{"a/b", false},
		{"a b", false},
		{"a:1", false},
	}
	for _, tt := range tests {
		if err := validateLinkName(tt.name); (err == nil) != tt.ok {
			t.Errorf("validateLinkName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestMACFromIP(t *testing.T) {
	tests := []struct {
		ip   string
		want string
	}{
		{"10.42.0.1", "0a:58:0a:2a:00:01"},
		{"10.42.0.254", "0a:58:0a:2a:00:fe"},
		{"192.168.1.2", "0a:58:c0:a8:01:02"},
		{"fd00::1", ""},
	}
	for _, tt := range tests {
		got := MACFromIP(net.ParseIP(tt.ip))
		if tt.want == "" {
			if got != nil {
				t.Errorf("MACFromIP(%s) = %v, want nil", tt.ip, got)
			}
			continue
		}
		if got.String() != tt.want {
			t.Errorf("MACFromIP(%s) = %v, want %s", tt.ip, got, tt.want)
		}
		// Locally administered (bit 1 set), unicast (bit 0 clear).
		if got[0]&0x02 == 0 || got[0]&0x01 != 0 {
			t.Errorf("MACFromIP(%s) = %v is not a locally administered unicast MAC", tt.ip, got)
		}
	}
}

func TestAliasOwnedBy(t *testing.T) {
	tests := []struct {
		alias, id string
		want      bool
	}{
		{"", "a", true},
		{"berth:a", "a", true},
		{"berth:b", "a", false},
		{"something-else", "a", false},
	}
	for _, tt := range tests {
		if got := aliasOwnedBy(tt.alias, tt.id); got != tt.want {
			t.Errorf("aliasOwnedBy(%q, %q) = %v, want %v", tt.alias, tt.id, got, tt.want)
		}
	}
}
