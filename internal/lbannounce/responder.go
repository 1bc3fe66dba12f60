package lbannounce

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
)

// gratuitousSchedule is when gratuitous ARP goes out after taking an address
// over: at once, then twice more in case the first was lost.
var gratuitousSchedule = []time.Duration{0, 300 * time.Millisecond, time.Second}

// responder answers ARP requests for the addresses this node announces.
// It needs no kernel state: the address is not added to the interface, so
// nothing is left behind when the process dies, and the kernel does not
// answer for it by itself.
type responder struct {
	log *slog.Logger
	mu  sync.Mutex
	on  map[string]*ifaceResponder // by interface name
}

type ifaceResponder struct {
	ifi    *net.Interface
	client *arp.Client
	ips    map[netip.Addr]bool // guarded by responder.mu
	done   chan struct{}
}

func newResponder(log *slog.Logger) *responder {
	return &responder{log: log, on: map[string]*ifaceResponder{}}
}

// Announce starts answering for ip on the interface and tells the segment
// with gratuitous ARP.
func (r *responder) Announce(iface string, ip netip.Addr) error {
	r.mu.Lock()
	ir := r.on[iface]
	if ir == nil {
		ifi, err := net.InterfaceByName(iface)
		if err != nil {
			r.mu.Unlock()
			return err
		}
		c, err := arp.Dial(ifi)
		if err != nil {
			r.mu.Unlock()
			return fmt.Errorf("ARP socket on %s: %w", iface, err)
		}
		ir = &ifaceResponder{ifi: ifi, client: c, ips: map[netip.Addr]bool{}, done: make(chan struct{})}
		r.on[iface] = ir
		go r.serve(ir)
	}
	ir.ips[ip] = true
	r.mu.Unlock()
	go r.gratuitous(ir, ip)
	return nil
}

// Withdraw stops answering for ip; the interface's socket closes with its
// last address.
func (r *responder) Withdraw(iface string, ip netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ir := r.on[iface]
	if ir == nil {
		return
	}
	delete(ir.ips, ip)
	if len(ir.ips) == 0 {
		delete(r.on, iface)
		close(ir.done)
		_ = ir.client.Close()
	}
}

// Announced reports whether ip is being answered for (on any interface).
func (r *responder) Announced(ip netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ir := range r.on {
		if ir.ips[ip] {
			return true
		}
	}
	return false
}

// Count is the number of addresses being answered for.
func (r *responder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ir := range r.on {
		n += len(ir.ips)
	}
	return n
}

// Close stops answering for everything.
func (r *responder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, ir := range r.on {
		delete(r.on, name)
		close(ir.done)
		_ = ir.client.Close()
	}
}

func (r *responder) answers(ir *ifaceResponder, ip netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ir.ips[ip]
}

func (r *responder) serve(ir *ifaceResponder) {
	for {
		pkt, _, err := ir.client.Read()
		if err != nil {
			select {
			case <-ir.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.log.Warn("reading ARP", "iface", ir.ifi.Name, "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		// Our own kernel's requests (the node resolving the address) are
		// not answered: the node must not think the address is its own.
		if pkt.Operation != arp.OperationRequest || bytes.Equal(pkt.SenderHardwareAddr, ir.ifi.HardwareAddr) {
			continue
		}
		if !r.answers(ir, pkt.TargetIP) {
			continue
		}
		if err := ir.client.Reply(pkt, ir.ifi.HardwareAddr, pkt.TargetIP); err != nil {
			r.log.Warn("answering ARP", "iface", ir.ifi.Name, "ip", pkt.TargetIP, "err", err)
		}
	}
}

// gratuitous sends the address's new owner to everyone on the segment, as
// an unsolicited reply and as an announcement (a request for itself,
// RFC 5227), so neighbour caches holding the previous node's MAC switch now
// rather than when they expire.
func (r *responder) gratuitous(ir *ifaceResponder, ip netip.Addr) {
	start := time.Now()
	for _, at := range gratuitousSchedule {
		select {
		case <-ir.done:
			return
		case <-time.After(time.Until(start.Add(at))):
		}
		if !r.answers(ir, ip) {
			return
		}
		for _, op := range []arp.Operation{arp.OperationReply, arp.OperationRequest} {
			p, err := arp.NewPacket(op, ir.ifi.HardwareAddr, ip, ethernet.Broadcast, ip)
			if err == nil {
				err = ir.client.WriteTo(p, ethernet.Broadcast)
			}
			if err != nil {
				r.log.Warn("gratuitous ARP", "iface", ir.ifi.Name, "ip", ip, "err", err)
			}
		}
	}
}
