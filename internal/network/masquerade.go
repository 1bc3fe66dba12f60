package network

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netns"
)

// The masquerade table, rebuilt whole in one transaction on every sync
// (it holds one rule and one small set):
//
//	table ip berth-net {
//	  set nodes { type ipv4_addr; elements = { <every node IP> } }
//	  chain postrouting {
//	    type nat hook postrouting priority srcnat;
//	    ip saddr <cluster CIDR> ip daddr != <cluster CIDR> ip daddr != @nodes masquerade fully-random
//	  }
//	}
//
// Pod → pod (any node) and pod → node keep the pod's source address; only
// traffic leaving the cluster gets the node's. Service traffic was DNATed
// in prerouting already, so its destination here is the endpoint's.
const (
	masqChain   = "postrouting"
	masqNodeSet = "nodes"
)

// syncMasquerade replaces the table berth-net in namespace ns.
func syncMasquerade(ns netns.NsHandle, clusterCIDR netip.Prefix, nodeIPs []netip.Addr) error {
	c, err := nftables.New(nftables.WithNetNSFd(int(ns)))
	if err != nil {
		return fmt.Errorf("network: nftables: %w", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: MasqueradeTable}
	// add + delete + add: a fresh table whether or not one existed, in the
	// same transaction as its contents, so no packet sees it half-built.
	c.AddTable(t)
	c.DelTable(t)
	c.AddTable(t)
	set := &nftables.Set{Table: t, Name: masqNodeSet, KeyType: nftables.TypeIPAddr}
	var elems []nftables.SetElement
	for _, ip := range nodeIPs {
		if ip.Is4() {
			elems = append(elems, nftables.SetElement{Key: ip.AsSlice()})
		}
	}
	if err := c.AddSet(set, elems); err != nil {
		return fmt.Errorf("network: nftables set %s: %w", masqNodeSet, err)
	}
	ch := c.AddChain(&nftables.Chain{Name: masqChain, Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	cc := clusterCIDR.Masked()
	mask := []byte(net.CIDRMask(cc.Bits(), 32))
	var exprs []expr.Any
	exprs = append(exprs, matchPrefix(12, mask, cc.Addr().AsSlice(), expr.CmpOpEq)...)  // ip saddr
	exprs = append(exprs, matchPrefix(16, mask, cc.Addr().AsSlice(), expr.CmpOpNeq)...) // ip daddr
	exprs = append(exprs,
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		&expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID, Invert: true},
		&expr.Masq{FullyRandom: true},
	)
	c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: exprs})
	if err := c.Flush(); err != nil {
		return fmt.Errorf("network: nftables table %s: %w", MasqueradeTable, err)
	}
	return nil
}

// matchPrefix loads the IPv4 address at offset of the network header and
// compares it, masked, with addr.
func matchPrefix(offset uint32, mask, addr []byte, op expr.CmpOp) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: []byte{0, 0, 0, 0}},
		&expr.Cmp{Op: op, Register: 1, Data: addr},
	}
}

// deleteMasquerade removes the table berth-net if it exists.
func deleteMasquerade(ns netns.NsHandle) error {
	c, err := nftables.New(nftables.WithNetNSFd(int(ns)))
	if err != nil {
		return fmt.Errorf("network: nftables: %w", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: MasqueradeTable}
	c.AddTable(t) // so the delete cannot fail on a missing table
	c.DelTable(t)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("network: delete nftables table %s: %w", MasqueradeTable, err)
	}
	return nil
}
