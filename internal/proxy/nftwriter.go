package proxy

import (
	"fmt"

	"github.com/google/nftables"
)

// elementsPerMessage keeps one element message well under the 64 KiB a
// netlink attribute can hold.
const elementsPerMessage = 128

// nftWriter queues the messages of one transaction on a google/nftables
// Conn; Flush sends them as one batch.
type nftWriter struct {
	conn  *nftables.Conn
	table *nftables.Table
	err   error
}

func newNftWriter(conn *nftables.Conn, table string) *nftWriter {
	return &nftWriter{conn: conn, table: &nftables.Table{Name: table, Family: nftables.TableFamilyIPv4}}
}

// full replaces the whole table: add (so delete cannot fail), delete, add.
func (w *nftWriter) full(rs *Ruleset) error {
	w.conn.AddTable(w.table)
	w.conn.DelTable(w.table)
	w.conn.AddTable(w.table)
	for _, s := range rs.Sets {
		w.addSet(s)
	}
	for _, c := range rs.Chains {
		w.conn.AddChain(c.nftChain(w.table))
	}
	for _, c := range rs.Chains {
		w.addRules(c)
	}
	for _, s := range rs.Sets {
		w.elements(s, s.Elements, true)
	}
	return w.err
}

// incremental applies a change in an order the kernel accepts: whatever a
// rule or element refers to exists before it, and nothing is deleted while
// still referenced.
func (w *nftWriter) incremental(cur *Ruleset, ch *change) error {
	for _, s := range ch.NewSets {
		w.addSet(s)
	}
	for _, c := range ch.NewChains {
		w.conn.AddChain(c.nftChain(w.table))
	}
	for _, c := range ch.ChangedChains {
		w.conn.FlushChain(c.nftChain(w.table))
	}
	for _, name := range ch.GoneChains {
		w.conn.FlushChain(&nftables.Chain{Name: name, Table: w.table})
	}
	for _, s := range ch.RecreatedSets {
		w.conn.DelSet(&nftables.Set{Table: w.table, Name: s.Name})
		w.addSet(s)
	}
	for _, name := range sortedKeys(ch.DelElements) {
		w.elements(cur.Set(name), ch.DelElements[name], false)
	}
	for _, c := range ch.NewChains {
		w.addRules(c)
	}
	for _, c := range ch.ChangedChains {
		w.addRules(c)
	}
	for _, name := range sortedKeys(ch.AddElements) {
		w.elements(cur.Set(name), ch.AddElements[name], true)
	}
	for _, s := range append(ch.NewSets, ch.RecreatedSets...) {
		w.elements(s, s.Elements, true)
	}
	for _, name := range ch.GoneChains {
		w.conn.DelChain(&nftables.Chain{Name: name, Table: w.table})
	}
	for _, name := range ch.GoneSets {
		w.conn.DelSet(&nftables.Set{Table: w.table, Name: name})
	}
	return w.err
}

func (w *nftWriter) setErr(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

func (w *nftWriter) addSet(s *Set) {
	w.setErr(w.conn.AddSet(s.nftSet(w.table), nil))
}

func (w *nftWriter) addRules(c *Chain) {
	nc := &nftables.Chain{Name: c.Name, Table: w.table}
	for _, r := range c.Rules {
		exprs, err := compileRule(w.conn, w.table, r)
		if err != nil {
			w.setErr(fmt.Errorf("chain %s: %w", c.Name, err))
			return
		}
		w.conn.AddRule(&nftables.Rule{Table: w.table, Chain: nc, Exprs: exprs})
	}
}

// elements adds or deletes elements, a bounded number per message.
func (w *nftWriter) elements(s *Set, es []Element, add bool) {
	if len(es) == 0 {
		return
	}
	ns := s.nftSet(w.table)
	for start := 0; start < len(es); start += elementsPerMessage {
		chunk := es[start:min(start+elementsPerMessage, len(es))]
		encoded, err := s.nftElements(chunk)
		if err != nil {
			w.setErr(err)
			return
		}
		if add {
			w.setErr(w.conn.SetAddElements(ns, encoded))
			continue
		}
		for i := range encoded {
			encoded[i].VerdictData = nil // a key is enough to delete
		}
		w.setErr(w.conn.SetDeleteElements(ns, encoded))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
