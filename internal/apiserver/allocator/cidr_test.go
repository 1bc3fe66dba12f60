package allocator

import (
	"errors"
	"net"
	"testing"
)

func newCIDR(t *testing.T, key, cidr string, reserved ...string) *CIDRAllocator {
	t.Helper()
	var res []net.IP
	for _, r := range reserved {
		res = append(res, net.ParseIP(r))
	}
	a, err := NewCIDRAllocator(newClient(t), key, mustCIDR(t, cidr), res...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCIDRAllocateExplicit(t *testing.T) {
	ctx := testCtx(t)
	a := newCIDR(t, testKey(t), "10.43.0.0/16")
	if got := a.FirstIP().String(); got != "10.43.0.1" {
		t.Fatalf("FirstIP = %s", got)
	}
	// The kubernetes Service's address and a DNS-style address on request.
	for _, ip := range []string{"10.43.0.1", "10.43.0.10", "10.43.255.254"} {
		if err := a.Allocate(ctx, net.ParseIP(ip)); err != nil {
			t.Fatalf("Allocate(%s): %v", ip, err)
		}
	}
	err := a.Allocate(ctx, net.ParseIP("10.43.0.10"))
	if !errors.Is(err, ErrAllocated) || err.Error() != "provided IP is already allocated" {
		t.Fatalf("second Allocate(10.43.0.10) = %v", err)
	}
	for _, ip := range []string{"10.44.0.1", "10.43.0.0", "10.43.255.255", "fd00::1"} {
		err := a.Allocate(ctx, net.ParseIP(ip))
		want := "provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16"
		if !errors.Is(err, ErrNotInRange) || err.Error() != want {
			t.Errorf("Allocate(%s) = %v", ip, err)
		}
	}
	if has, err := a.Has(ctx, net.ParseIP("10.43.0.10")); err != nil || !has {
		t.Fatalf("Has(10.43.0.10) = %v, %v", has, err)
	}
	if has, err := a.Has(ctx, net.ParseIP("10.43.0.11")); err != nil || has {
		t.Fatalf("Has(10.43.0.11) = %v, %v", has, err)
	}
	if free, err := a.Free(ctx); err != nil || free != 65534-3 {
		t.Fatalf("Free = %d, %v; want %d", free, err, 65534-3)
	}
}

func TestCIDRReleaseIsIdempotent(t *testing.T) {
	ctx := testCtx(t)
	a := newCIDR(t, testKey(t), "10.43.0.0/24")
	ip := net.ParseIP("10.43.0.20")
	if err := a.Allocate(ctx, ip); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := a.Release(ctx, ip); err != nil {
			t.Fatalf("Release: %v", err)
		}
	}
	if err := a.Release(ctx, net.ParseIP("192.168.0.1")); err != nil {
		t.Fatalf("Release out of range: %v", err)
	}
	if has, _ := a.Has(ctx, ip); has {
		t.Fatal("released IP still allocated")
	}
	if err := a.Allocate(ctx, ip); err != nil {
		t.Fatalf("re-Allocate after Release: %v", err)
	}
}

// AllocateNext hands out the upper band first and never a reserved address;
// when only the lower band is left it uses that, and then reports full.
func TestCIDRAllocateNextBandsAndFull(t *testing.T) {
	ctx := testCtx(t)
	// 10.43.0.0/27: 30 usable, lower band 16 (.1-.16), upper .17-.30.
	a := newCIDR(t, testKey(t), "10.43.0.0/27", "10.43.0.10")
	seen := map[string]bool{}
	for i := range 28 { // 30 usable minus .1 and .10
		ip, err := a.AllocateNext(ctx)
		if err != nil {
			t.Fatalf("AllocateNext #%d: %v", i, err)
		}
		off, _ := a.r.offset(ip)
		if i < 14 && off < 16 {
			t.Fatalf("allocation #%d got %s from the lower band while the upper had room", i, ip)
		}
		if s := ip.String(); s == "10.43.0.1" || s == "10.43.0.10" || seen[s] {
			t.Fatalf("AllocateNext returned %s (reserved or duplicate)", s)
		}
		seen[ip.String()] = true
	}
	_, err := a.AllocateNext(ctx)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("AllocateNext on a full range = %v, want ErrFull", err)
	}
	// Reserved addresses are still there for whoever asks by name.
	for _, ip := range []string{"10.43.0.1", "10.43.0.10"} {
		if err := a.Allocate(ctx, net.ParseIP(ip)); err != nil {
			t.Fatalf("Allocate(%s) on a full range: %v", ip, err)
		}
	}
	if free, _ := a.Free(ctx); free != 0 {
		t.Fatalf("Free = %d, want 0", free)
	}
}

func TestNewCIDRAllocatorRejects(t *testing.T) {
	cli := newClient(t)
	if _, err := NewCIDRAllocator(cli, testKey(t), mustCIDR(t, "10.0.0.0/8")); err == nil {
		t.Error("a /8 service CIDR was accepted")
	}
	if _, err := NewCIDRAllocator(cli, testKey(t), mustCIDR(t, "10.43.0.0/16"), net.ParseIP("10.44.0.10")); err == nil {
		t.Error("a reserved IP outside the CIDR was accepted")
	}
}

func TestCIDRIPv6(t *testing.T) {
	ctx := testCtx(t)
	a := newCIDR(t, testKey(t), "fd00:43::/108")
	ip, err := a.AllocateNext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !mustCIDR(t, "fd00:43::/112").Contains(ip) || ip.Equal(net.ParseIP("fd00:43::1")) {
		t.Fatalf("AllocateNext = %s, want an address of the capped range other than ::1", ip)
	}
	err = a.Allocate(ctx, net.ParseIP("fd00:43::1:1")) // inside the /108, beyond the 2^16 cap
	if !errors.Is(err, ErrNotInRange) {
		t.Fatalf("Allocate beyond cap = %v", err)
	}
}

func TestCIDRRepair(t *testing.T) {
	ctx := testCtx(t)
	a := newCIDR(t, testKey(t), "10.43.0.0/24")
	for _, ip := range []string{"10.43.0.1", "10.43.0.5", "10.43.0.6"} {
		if err := a.Allocate(ctx, net.ParseIP(ip)); err != nil {
			t.Fatal(err)
		}
	}
	// The stored Services hold .1 and .7 (.7 allocated, then a crash before
	// the bitmap write; .5/.6 allocated for Services never stored).
	inUse := []net.IP{net.ParseIP("10.43.0.1"), net.ParseIP("10.43.0.7"), net.ParseIP("10.99.0.1")}
	if err := a.Repair(ctx, inUse); err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{"10.43.0.1": true, "10.43.0.5": false, "10.43.0.6": false, "10.43.0.7": true} {
		if has, err := a.Has(ctx, net.ParseIP(ip)); err != nil || has != want {
			t.Errorf("after Repair Has(%s) = %v, %v; want %v", ip, has, err, want)
		}
	}
	if free, _ := a.Free(ctx); free != 254-2 {
		t.Errorf("Free = %d, want %d", free, 254-2)
	}
}

// A bitmap stored for another range (the service CIDR was changed) is not
// used until Repair replaces it.
func TestCIDRRangeChanged(t *testing.T) {
	ctx := testCtx(t)
	key := testKey(t)
	old := newCIDR(t, key, "10.43.0.0/24")
	if err := old.Allocate(ctx, net.ParseIP("10.43.0.5")); err != nil {
		t.Fatal(err)
	}
	a := newCIDR(t, key, "10.43.0.0/16")
	if err := a.Allocate(ctx, net.ParseIP("10.43.0.6")); !errors.Is(err, ErrRangeChanged) {
		t.Fatalf("Allocate on a changed range = %v, want ErrRangeChanged", err)
	}
	if _, err := a.Free(ctx); !errors.Is(err, ErrRangeChanged) {
		t.Fatalf("Free on a changed range = %v, want ErrRangeChanged", err)
	}
	if err := a.Repair(ctx, []net.IP{net.ParseIP("10.43.0.5")}); err != nil {
		t.Fatal(err)
	}
	if err := a.Allocate(ctx, net.ParseIP("10.43.0.5")); !errors.Is(err, ErrAllocated) {
		t.Fatalf("Allocate(in use after repair) = %v", err)
	}
	if err := a.Allocate(ctx, net.ParseIP("10.43.200.1")); err != nil {
		t.Fatalf("Allocate after repair: %v", err)
	}
}
