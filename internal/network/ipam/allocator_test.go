package ipam

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

func newTestAllocator(t *testing.T, dir, cidr string) *Allocator {
	t.Helper()
	a, err := New(dir, mustCIDR(t, cidr))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNewRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		dir  string
		cidr *net.IPNet
	}{
		{name: "nil cidr", dir: dir, cidr: nil},
		{name: "no dir", dir: "", cidr: mustCIDR(t, "10.0.0.0/24")},
		{name: "/31 holds no pod", dir: dir, cidr: mustCIDR(t, "10.0.0.0/31")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.dir, tt.cidr); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestValidateOwner(t *testing.T) {
	tests := []struct {
		owner string
		ok    bool
	}{
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		{"pod_a-1.x", true},
		{"", false},
		{"a b", false},
		{"a\nb", false},
		{" lead", false},
		{string(make([]byte, maxOwnerLen+1)), false},
	}
	for _, tt := range tests {
		if err := ValidateOwner(tt.owner); (err == nil) != tt.ok {
			t.Errorf("ValidateOwner(%q) = %v, want ok=%v", tt.owner, err, tt.ok)
		}
	}
}

func TestAllocateSequence(t *testing.T) {
	type step struct {
		op      string // alloc, release, reconcile
		owner   string
		live    []string
		want    string   // alloc: expected IP
		wantErr error    // alloc: expected error
		freed   []string // reconcile: expected freed owners
	}
	tests := []struct {
		name  string
		cidr  string
		steps []step
		final map[string]string
	}{
		{
			name: "distinct owners get distinct addresses, idempotent per owner",
			cidr: "10.42.0.0/24",
			steps: []step{
				{op: "alloc", owner: "a", want: "10.42.0.2"},
				{op: "alloc", owner: "b", want: "10.42.0.3"},
				{op: "alloc", owner: "a", want: "10.42.0.2"},
				{op: "alloc", owner: "c", want: "10.42.0.4"},
			},
			final: map[string]string{"a": "10.42.0.2", "b": "10.42.0.3", "c": "10.42.0.4"},
		},
		{
			name: "released address is not reused immediately",
			cidr: "10.42.0.0/24",
			steps: []step{
				{op: "alloc", owner: "a", want: "10.42.0.2"},
				{op: "alloc", owner: "b", want: "10.42.0.3"},
				{op: "release", owner: "a"},
				{op: "release", owner: "a"}, // idempotent
				{op: "alloc", owner: "c", want: "10.42.0.4"},
			},
			final: map[string]string{"b": "10.42.0.3", "c": "10.42.0.4"},
		},
		{
			name: "exhaustion and reuse after wrap-around",
			cidr: "10.9.0.0/29",
			steps: []step{
				{op: "alloc", owner: "a", want: "10.9.0.2"},
				{op: "alloc", owner: "b", want: "10.9.0.3"},
				{op: "alloc", owner: "c", want: "10.9.0.4"},
				{op: "alloc", owner: "d", want: "10.9.0.5"},
				{op: "alloc", owner: "e", want: "10.9.0.6"},
				{op: "alloc", owner: "f", wantErr: ErrExhausted},
				{op: "alloc", owner: "e", want: "10.9.0.6"}, // still idempotent when full
				{op: "release", owner: "c"},
				{op: "alloc", owner: "f", want: "10.9.0.4"},
			},
			final: map[string]string{"a": "10.9.0.2", "b": "10.9.0.3", "d": "10.9.0.5", "e": "10.9.0.6", "f": "10.9.0.4"},
		},
		{
			name: "reconcile frees owners that are gone",
			cidr: "10.42.0.0/24",
			steps: []step{
				{op: "alloc", owner: "a", want: "10.42.0.2"},
				{op: "alloc", owner: "b", want: "10.42.0.3"},
				{op: "alloc", owner: "c", want: "10.42.0.4"},
				{op: "reconcile", live: []string{"b", "unrelated"}, freed: []string{"a", "c"}},
				{op: "reconcile", live: []string{"b"}, freed: nil},
			},
			final: map[string]string{"b": "10.42.0.3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAllocator(t, t.TempDir(), tt.cidr)
			for i, s := range tt.steps {
				switch s.op {
				case "alloc":
					ip, err := a.Allocate(s.owner)
					if s.wantErr != nil {
						if !errors.Is(err, s.wantErr) {
							t.Fatalf("step %d: err %v, want %v", i, err, s.wantErr)
						}
						continue
					}
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					if ip.String() != s.want {
						t.Fatalf("step %d: Allocate(%s) = %v, want %v", i, s.owner, ip, s.want)
					}
				case "release":
					if err := a.Release(s.owner); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case "reconcile":
					live := map[string]bool{}
					for _, o := range s.live {
						live[o] = true
					}
					freed, err := a.Reconcile(live)
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					if !reflect.DeepEqual(freed, s.freed) {
						t.Fatalf("step %d: freed %v, want %v", i, freed, s.freed)
					}
				}
			}
			assertOwners(t, a, tt.final)
		})
	}
}

func assertOwners(t *testing.T, a *Allocator, want map[string]string) {
	t.Helper()
	owners, err := a.Owners()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for o, ip := range owners {
		got[o] = ip.String()
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("owners %v, want %v", got, want)
	}
}

// TestStateSurvivesRestart plays a crash: a fresh Allocator on the same
// directory must see every reservation, keep handing out the same address
// per owner, and clean up a temporary file left by a write cut short.
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	a := newTestAllocator(t, dir, "10.42.0.0/24")
	ipA, _ := a.Allocate("a")
	ipB, _ := a.Allocate("b")
	// A write that crashed before its rename.
	if err := os.WriteFile(filepath.Join(dir, tmpPrefix+"123"), []byte("zzz"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file a human dropped there; must be ignored, not deleted.
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hi"), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newTestAllocator(t, dir, "10.42.0.0/24")
	if _, err := os.Stat(filepath.Join(dir, tmpPrefix+"123")); !os.IsNotExist(err) {
		t.Fatalf("stale temp file not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err != nil {
		t.Fatalf("unknown file removed: %v", err)
	}
	if got, _ := b.Allocate("a"); !got.Equal(ipA) {
		t.Fatalf("after restart a got %v, want %v", got, ipA)
	}
	if got, _ := b.Allocate("b"); !got.Equal(ipB) {
		t.Fatalf("after restart b got %v, want %v", got, ipB)
	}
	// The round-robin cursor survived too.
	if got, _ := b.Allocate("c"); got.String() != "10.42.0.4" {
		t.Fatalf("after restart c got %v, want 10.42.0.4", got)
	}
}

// TestCIDRChange: an owner holding an address outside a new podCIDR gets a
// new one, and the old reservation is dropped.
func TestCIDRChange(t *testing.T) {
	dir := t.TempDir()
	a := newTestAllocator(t, dir, "10.42.0.0/24")
	if _, err := a.Allocate("a"); err != nil {
		t.Fatal(err)
	}
	b := newTestAllocator(t, dir, "10.42.7.0/24")
	ip, err := b.Allocate("a")
	if err != nil {
		t.Fatal(err)
	}
	if ip.String() != "10.42.7.2" {
		t.Fatalf("got %v, want 10.42.7.2", ip)
	}
	assertOwners(t, b, map[string]string{"a": "10.42.7.2"})
}

// TestConcurrentAllocators runs many goroutines over two Allocators sharing
// one directory (so the flock, not just the mutex, is exercised): every
// owner must end up with one address and no address with two owners.
func TestConcurrentAllocators(t *testing.T) {
	dir := t.TempDir()
	allocs := []*Allocator{newTestAllocator(t, dir, "10.42.0.0/24"), newTestAllocator(t, dir, "10.42.0.0/24")}
	const owners = 100
	got := make([]net.IP, owners)
	var wg sync.WaitGroup
	errs := make(chan error, owners*2)
	for i := 0; i < owners; i++ {
		for j := 0; j < 2; j++ { // each owner asks twice, via both allocators
			wg.Add(1)
			go func(i, j int) {
				defer wg.Done()
				ip, err := allocs[(i+j)%2].Allocate(fmt.Sprintf("owner-%d", i))
				if err != nil {
					errs <- err
					return
				}
				if j == 0 {
					got[i] = ip
				}
			}(i, j)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	owned, err := allocs[0].Owners()
	if err != nil {
		t.Fatal(err)
	}
	if len(owned) != owners {
		t.Fatalf("%d owners recorded, want %d", len(owned), owners)
	}
	seen := map[string]string{}
	for o, ip := range owned {
		if prev, dup := seen[ip.String()]; dup {
			t.Fatalf("%v given to %s and %s", ip, prev, o)
		}
		seen[ip.String()] = o
	}
	for i, ip := range got {
		if !ip.Equal(owned[fmt.Sprintf("owner-%d", i)]) {
			t.Fatalf("owner-%d: Allocate returned %v, state says %v", i, ip, owned[fmt.Sprintf("owner-%d", i)])
		}
	}
}
