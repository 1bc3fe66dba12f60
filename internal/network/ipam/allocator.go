package ipam

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// maxOwnerLen bounds an owner name; sandbox IDs are 64 hex characters.
const maxOwnerLen = 1024

// Allocator hands out addresses of one pod CIDR, with its state in one
// directory. It is safe for concurrent use, also by several Allocators (or
// processes) sharing the directory.
//
// The directory must belong to one node: Reconcile frees every owner it does
// not know, whatever CIDR the address came from.
type Allocator struct {
	dir    string
	prefix netip.Prefix

	// mu serialises this Allocator's own goroutines before they queue on
	// the flock, which keeps file-descriptor churn low.
	mu sync.Mutex
}

// New returns an Allocator for cidr with its state in dir (created if
// missing, mode 0700).
func New(dir string, cidr *net.IPNet) (*Allocator, error) {
	p, err := PrefixFromIPNet(cidr)
	if err != nil {
		return nil, err
	}
	if _, _, ok := UsableRange(p); !ok {
		return nil, fmt.Errorf("ipam: pod CIDR %v is too small to hold any pod", p)
	}
	if dir == "" {
		return nil, errors.New("ipam: state directory is not set")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ipam: create state directory: %w", err)
	}
	a := &Allocator{dir: dir, prefix: p}
	if err := a.locked(func() error { removeStaleTemps(dir); return nil }); err != nil {
		return nil, err
	}
	return a, nil
}

// Prefix returns the pod CIDR this Allocator serves.
func (a *Allocator) Prefix() netip.Prefix { return a.prefix }

// GatewayIP returns the gateway (bridge) address of the pod CIDR.
func (a *Allocator) GatewayIP() net.IP { return toIP(Gateway(a.prefix)) }

// ValidateOwner checks that owner can be stored: not empty, no whitespace
// or control characters (the owner is the whole content of a file and is
// read back trimmed), not absurdly long.
func ValidateOwner(owner string) error {
	if owner == "" {
		return errors.New("ipam: empty owner")
	}
	if len(owner) > maxOwnerLen {
		return fmt.Errorf("ipam: owner longer than %d bytes", maxOwnerLen)
	}
	for _, r := range owner {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("ipam: owner %q contains whitespace or control characters", owner)
		}
	}
	return nil
}

// Allocate returns the address of owner, reserving a new one if owner has
// none. It is idempotent: calling it again for the same owner (also after a
// crash or from another Allocator on the same directory) returns the same
// address. It returns ErrExhausted when the CIDR is full.
func (a *Allocator) Allocate(owner string) (net.IP, error) {
	if err := ValidateOwner(owner); err != nil {
		return nil, err
	}
	var got netip.Addr
	err := a.locked(func() error {
		st, err := a.load()
		if err != nil {
			return err
		}
		first, last, _ := UsableRange(a.prefix)
		// Keep the owner's lowest in-range address; drop anything else it
		// holds (an address from an earlier, different podCIDR, or a
		// duplicate from a hand-edited directory).
		for _, ip := range st.addrsOf(owner) {
			if !got.IsValid() && inRange(ip, first, last) {
				got = ip
				continue
			}
			slog.Warn("ipam: dropping extra address of owner", "owner", owner, "ip", ip)
			if err := removeFileDurable(a.dir, ip.String()); err != nil {
				return fmt.Errorf("ipam: free %v: %w", ip, err)
			}
		}
		if got.IsValid() {
			return nil
		}
		used := make(map[netip.Addr]bool, len(st.byAddr))
		for ip := range st.byAddr {
			used[ip] = true
		}
		ip, err := nextFree(a.prefix, used, st.lastReserved)
		if err != nil {
			return err
		}
		// The address file is the reservation; it must be durable before
		// the caller can hand the address to anyone.
		if err := writeFileAtomic(a.dir, ip.String(), []byte(owner)); err != nil {
			return fmt.Errorf("ipam: reserve %v: %w", ip, err)
		}
		// The round-robin cursor is only a hint: losing it costs nothing
		// but an earlier reuse.
		if err := writeFileAtomic(a.dir, lastFileName, []byte(ip.String())); err != nil {
			slog.Warn("ipam: could not record last reserved address", "ip", ip, "err", err)
		}
		got = ip
		slog.Debug("ipam: allocated", "owner", owner, "ip", ip)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return toIP(got), nil
}

// Release frees every address held by owner. Releasing an owner without an
// address is not an error.
func (a *Allocator) Release(owner string) error {
	if err := ValidateOwner(owner); err != nil {
		return err
	}
	return a.locked(func() error {
		st, err := a.load()
		if err != nil {
			return err
		}
		for _, ip := range st.addrsOf(owner) {
			if err := removeFileDurable(a.dir, ip.String()); err != nil {
				return fmt.Errorf("ipam: release %v: %w", ip, err)
			}
			slog.Debug("ipam: released", "owner", owner, "ip", ip)
		}
		return nil
	})
}

// Owners returns every owner with its address (its lowest one, should it
// hold several).
func (a *Allocator) Owners() (map[string]net.IP, error) {
	out := map[string]net.IP{}
	err := a.locked(func() error {
		st, err := a.load()
		if err != nil {
			return err
		}
		for _, ip := range st.sortedAddrs() {
			o := st.byAddr[ip]
			if _, seen := out[o]; !seen {
				out[o] = toIP(ip)
			}
		}
		return nil
	})
	return out, err
}

// Reconcile frees the addresses of every owner not in live and returns the
// freed owners, sorted. The caller must include in live every sandbox it is
// still setting up, or Reconcile will race with that setup.
func (a *Allocator) Reconcile(live map[string]bool) ([]string, error) {
	var freed []string
	err := a.locked(func() error {
		st, err := a.load()
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, ip := range st.sortedAddrs() {
			o := st.byAddr[ip]
			if live[o] {
				continue
			}
			if err := removeFileDurable(a.dir, ip.String()); err != nil {
				return fmt.Errorf("ipam: free %v of %q: %w", ip, o, err)
			}
			slog.Info("ipam: freed address of a sandbox that no longer exists", "owner", o, "ip", ip)
			if !seen[o] {
				seen[o] = true
				freed = append(freed, o)
			}
		}
		return nil
	})
	sort.Strings(freed)
	return freed, err
}

// locked runs fn holding both the in-process mutex and the directory flock.
func (a *Allocator) locked(fn func() error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	unlock, err := lockDir(a.dir)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// state is the directory's content as read under the lock.
type state struct {
	byAddr       map[netip.Addr]string
	lastReserved netip.Addr
}

func (s state) sortedAddrs() []netip.Addr {
	ips := make([]netip.Addr, 0, len(s.byAddr))
	for ip := range s.byAddr {
		ips = append(ips, ip)
	}
	sort.Slice(ips, func(i, j int) bool { return ips[i].Less(ips[j]) })
	return ips
}

func (s state) addrsOf(owner string) []netip.Addr {
	var out []netip.Addr
	for _, ip := range s.sortedAddrs() {
		if s.byAddr[ip] == owner {
			out = append(out, ip)
		}
	}
	return out
}

// load reads the directory: every file whose name parses as an address is
// a reservation. Unknown files are ignored (and logged), never deleted.
func (a *Allocator) load() (state, error) {
	st := state{byAddr: map[netip.Addr]string{}}
	entries, err := os.ReadDir(a.dir)
	if err != nil {
		return st, fmt.Errorf("ipam: read state: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue
		}
		ip, err := netip.ParseAddr(name)
		if err != nil {
			slog.Warn("ipam: ignoring unknown file in state directory", "dir", a.dir, "file", name)
			continue
		}
		b, err := os.ReadFile(filepath.Join(a.dir, name))
		if err != nil {
			return st, fmt.Errorf("ipam: read reservation %s: %w", name, err)
		}
		st.byAddr[ip.Unmap()] = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(a.dir, lastFileName)); err == nil {
		if ip, err := netip.ParseAddr(strings.TrimSpace(string(b))); err == nil {
			st.lastReserved = ip.Unmap()
		}
	}
	return st, nil
}

func toIP(a netip.Addr) net.IP {
	if !a.IsValid() {
		return nil
	}
	return net.IP(a.AsSlice())
}
