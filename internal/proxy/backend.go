package proxy

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/google/nftables"
)

// backend programs the kernel. The Proxier talks to it through this
// interface so its logic is testable without root.
type backend interface {
	// Apply makes the table equal to cur. old is what the last successful
	// Apply installed, or nil to rebuild the table from scratch. It is one
	// transaction: on error nothing changed.
	Apply(old, cur *Ruleset) (applyStats, error)
	// Cleanup deletes the table; a missing table is not an error.
	Cleanup(table string) error
	// FlushConntrack deletes stale UDP conntrack entries.
	FlushConntrack(stale staleFlows) (int, error)
}

// applyStats describes one transaction (logs and metrics).
type applyStats struct {
	Full          bool
	ChainsWritten int // chains created or rewritten
	ChainsDeleted int
	Elements      int           // elements added or deleted
	Kernel        time.Duration // time the kernel took for the transaction
}

// nftBackend is the real backend: google/nftables batches sent by
// batchSender into the namespace at nsPath ("" = current).
type nftBackend struct {
	nsPath  string
	batches uint64 // transactions sent, for tests
}

func (b *nftBackend) conn() (*nftables.Conn, *batchSender, error) {
	s := &batchSender{nsPath: b.nsPath, batches: &b.batches}
	c, err := nftables.New(nftables.WithTestDial(s.dial))
	return c, s, err
}

func (b *nftBackend) Apply(old, cur *Ruleset) (applyStats, error) {
	conn, _, err := b.conn()
	if err != nil {
		return applyStats{}, err
	}
	w := newNftWriter(conn, cur.Table)
	var st applyStats
	if old == nil {
		st = applyStats{Full: true, ChainsWritten: len(cur.Chains), Elements: cur.NumElements()}
		err = w.full(cur)
	} else {
		ch := diff(old, cur)
		if ch.empty() {
			return st, nil
		}
		st = ch.stats()
		err = w.incremental(cur, ch)
	}
	if err != nil {
		return st, fmt.Errorf("build nftables transaction: %w", err)
	}
	start := time.Now()
	if err := conn.Flush(); err != nil {
		return st, fmt.Errorf("nftables transaction: %w", err)
	}
	st.Kernel = time.Since(start)
	return st, nil
}

func (b *nftBackend) Cleanup(table string) error {
	conn, _, err := b.conn()
	if err != nil {
		return err
	}
	t := &nftables.Table{Name: table, Family: nftables.TableFamilyIPv4}
	conn.DelTable(t)
	err = conn.Flush()
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EAFNOSUPPORT) {
		return nil // no table, or no nftables in this kernel: nothing to clean
	}
	return err
}

func (c *change) stats() applyStats {
	st := applyStats{ChainsWritten: len(c.NewChains) + len(c.ChangedChains), ChainsDeleted: len(c.GoneChains)}
	for _, es := range c.AddElements {
		st.Elements += len(es)
	}
	for _, es := range c.DelElements {
		st.Elements += len(es)
	}
	return st
}

// applyFull installs rs from scratch into the namespace at nsPath.
func applyFull(nsPath string, rs *Ruleset) error {
	_, err := (&nftBackend{nsPath: nsPath}).Apply(nil, rs)
	return err
}
