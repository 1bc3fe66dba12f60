package network

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
)

// maxSandboxIDLen keeps "berth:"+ID inside a link alias (IFALIASZ = 256).
const maxSandboxIDLen = 200

// aliasPrefix marks host-side veths as ours; the rest of the alias is the
// sandbox ID, so a name-hash collision can be told from our own link.
const aliasPrefix = "berth:"

// HostVethName is the node-side veth name of a sandbox: "veth" + the first 8
// hex characters of sha256(sandboxID). Derived, not stored, so teardown
// after a crash finds it without any state.
func HostVethName(sandboxID string) string {
	sum := sha256.Sum256([]byte(sandboxID))
	return "veth" + hex.EncodeToString(sum[:4])
}

// vethAlias is the IFLA_IFALIAS put on the host-side veth.
func vethAlias(sandboxID string) string { return aliasPrefix + sandboxID }

// aliasOwnedBy reports whether a host veth with this alias may be treated as
// the sandbox's: ours, or unlabelled (a crash between creating the link and
// labelling it).
func aliasOwnedBy(alias, sandboxID string) bool {
	return alias == "" || alias == vethAlias(sandboxID)
}

// ValidateSandboxID checks that a sandbox ID is safe as a file name and as
// part of a link alias: 1..200 characters of [A-Za-z0-9_.-], not starting
// with '.' or '-'.
func ValidateSandboxID(id string) error {
	if id == "" {
		return errors.New("network: empty sandbox ID")
	}
	if len(id) > maxSandboxIDLen {
		return fmt.Errorf("network: sandbox ID longer than %d characters", maxSandboxIDLen)
	}
	if id[0] == '.' || id[0] == '-' {
		return fmt.Errorf("network: sandbox ID %q must not start with '.' or '-'", id)
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return fmt.Errorf("network: sandbox ID %q contains %q; allowed are letters, digits, '_', '.', '-'", id, c)
		}
	}
	return nil
}

// validateLinkName checks a Linux interface name: 1..15 bytes, no '/',
// whitespace or ':', not "." or "..".
func validateLinkName(name string) error {
	if name == "" || len(name) > 15 {
		return fmt.Errorf("%q must be 1 to 15 bytes long", name)
	}
	if name == "." || name == ".." || strings.ContainsAny(name, "/: \t\n") {
		return fmt.Errorf("%q is not a valid interface name", name)
	}
	return nil
}

// MACFromIP derives a stable, locally administered unicast MAC address from
// an IPv4 address: 0a:58:<the four address bytes>, the convention the CNI
// plugins used. Because the MAC follows the IP, a neighbour whose ARP entry
// survived a pod's replacement still points at the right place, and the
// bridge's MAC never changes as ports come and go. Returns nil for non-IPv4.
func MACFromIP(ip net.IP) net.HardwareAddr {
	v4 := ip.To4()
	if v4 == nil {
		return nil
	}
	return net.HardwareAddr{0x0a, 0x58, v4[0], v4[1], v4[2], v4[3]}
}
