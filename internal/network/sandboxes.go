package network

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
)

// Sandbox is a pod sandbox whose network leaves traces on disk.
type Sandbox struct {
	SandboxID string
	// NetNSPath is the namespace file, "" if there is none.
	NetNSPath string
	// NetNSMounted is false for a namespace file without a namespace
	// mounted on it (a crash between creating the file and mounting).
	NetNSMounted bool
	// IP is the reserved pod IP, nil if none.
	IP net.IP
	// HostVeth is the name the node-side veth has (or had).
	HostVeth string
}

// ListSandboxes returns every sandbox that has a namespace file in NetNSDir
// or an IP reservation, sorted by ID: after an agent restart the agent
// re-adopts those it still knows and tears down the rest (GarbageCollect);
// tests use it as a leak check. It reads only the filesystem.
func ListSandboxes(cfg NodeConfig) ([]Sandbox, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Sandbox{}
	get := func(id string) *Sandbox {
		if s, ok := byID[id]; ok {
			return s
		}
		s := &Sandbox{SandboxID: id, HostVeth: HostVethName(id)}
		byID[id] = s
		return s
	}

	entries, err := os.ReadDir(r.NetNSDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("network: read %s: %w", r.NetNSDir, err)
	}
	for _, e := range entries {
		if e.IsDir() || ValidateSandboxID(e.Name()) != nil {
			continue
		}
		path := filepath.Join(r.NetNSDir, e.Name())
		mounted, err := isNetNSMount(path)
		if err != nil {
			return nil, fmt.Errorf("network: inspect %s: %w", path, err)
		}
		s := get(e.Name())
		s.NetNSPath, s.NetNSMounted = path, mounted
	}

	alloc, err := r.allocator()
	if err != nil {
		return nil, err
	}
	owners, err := alloc.Owners()
	if err != nil {
		return nil, err
	}
	for owner, ip := range owners {
		get(owner).IP = ip
	}

	out := make([]Sandbox, 0, len(byID))
	for _, s := range byID {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SandboxID < out[j].SandboxID })
	return out, nil
}

// GarbageCollect tears down every sandbox found by ListSandboxes that is
// not in live and returns the IDs it removed. Sandboxes being set up right
// now must be in live.
func GarbageCollect(cfg NodeConfig, live map[string]bool) ([]string, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	sandboxes, err := ListSandboxes(cfg)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	// Owners we failed to tear down keep their IP: their interfaces may
	// still exist.
	keep := map[string]bool{}
	for id := range live {
		keep[id] = true
	}
	for _, s := range sandboxes {
		if live[s.SandboxID] {
			continue
		}
		if ValidateSandboxID(s.SandboxID) != nil {
			continue // an IPAM owner that is no sandbox ID: Reconcile below frees it
		}
		if err := TeardownPod(cfg, s.SandboxID); err != nil {
			keep[s.SandboxID] = true
			errs = append(errs, err)
			continue
		}
		slog.Info("network: garbage-collected sandbox network", "sandbox", s.SandboxID)
		removed = append(removed, s.SandboxID)
	}
	alloc, err := r.allocator()
	if err != nil {
		return removed, errors.Join(append(errs, err)...)
	}
	if _, err := alloc.Reconcile(keep); err != nil {
		errs = append(errs, err)
	}
	return removed, errors.Join(errs...)
}
