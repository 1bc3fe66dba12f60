package proxy

import "fmt"

// Mode is the dataplane the proxy programs.
type Mode string

const (
	// ModeNFTables programs one nftables table, ip berth-proxy (default).
	ModeNFTables Mode = "nftables"
	// ModeIPTables programs BERTH-* chains through iptables-restore, for
	// hosts without nftables.
	ModeIPTables Mode = "iptables"
)

// ParseMode validates a --proxy-mode value; "" means ModeNFTables.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", ModeNFTables:
		return ModeNFTables, nil
	case ModeIPTables:
		return ModeIPTables, nil
	}
	return "", fmt.Errorf("invalid proxy mode %q: must be %q or %q (IPVS is not available)", s, ModeNFTables, ModeIPTables)
}

// ParseBalance validates a --proxy-balance value; "" means RoundRobin.
func ParseBalance(s string) (Balance, error) {
	switch Balance(s) {
	case "", RoundRobin:
		return RoundRobin, nil
	case Random:
		return Random, nil
	}
	return "", fmt.Errorf("invalid proxy balance %q: must be %q or %q", s, RoundRobin, Random)
}

// ValidateFlags checks --proxy-balance and --proxy-mode values (berth agent,
// berth server, berth cluster create) and names the bad flag.
func ValidateFlags(balance, mode string) error {
	if _, err := ParseBalance(balance); err != nil {
		return fmt.Errorf("--proxy-balance: %w", err)
	}
	if _, err := ParseMode(mode); err != nil {
		return fmt.Errorf("--proxy-mode: %w", err)
	}
	return nil
}
