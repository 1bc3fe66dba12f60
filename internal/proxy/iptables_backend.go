package proxy

import (
	"fmt"
	"strings"
	"time"
)

// iptablesRestoreInput is the iptables-restore --noflush input that makes
// the tables hold exactly rs.IPTables, given what iptables-save printed for
// each table: every chain of ours is declared (which flushes it) and
// refilled, chains of ours no longer wanted are deleted, and each hook
// rule is inserted first in its built-in chain when missing (duplicates
// and outdated hooks are deleted). Other chains and rules are never named,
// so --noflush leaves them alone. Pure.
func iptablesRestoreInput(rs *Ruleset, saves map[string]string) string {
	var b strings.Builder
	for _, table := range iptablesTables {
		existing, hooks := ownedRules(saves[table])
		want := map[string]bool{}
		b.WriteString("*" + table + "\n")
		for _, c := range rs.IPTables {
			if c.Table == table {
				want[c.Name] = true
				b.WriteString(":" + c.Name + " - [0:0]\n")
			}
		}
		var stale []string
		for _, name := range existing {
			if !want[name] {
				stale = append(stale, name)
				b.WriteString(":" + name + " - [0:0]\n")
			}
		}
		for _, c := range rs.IPTables {
			if c.Table != table {
				continue
			}
			for _, r := range c.Rules {
				b.WriteString("-A " + c.Name + " " + r + "\n")
			}
		}
		for _, name := range stale {
			b.WriteString("-X " + name + "\n")
		}
		writeHooks(&b, table, hooks)
		b.WriteString("COMMIT\n")
	}
	return b.String()
}

// writeHooks keeps exactly one of each of the table's hook rules.
func writeHooks(b *strings.Builder, table string, existing []string) {
	seen := map[string]bool{}
	for _, line := range existing {
		if seen[line] || !isWantedHook(table, line) {
			b.WriteString("-D " + strings.TrimPrefix(line, "-A ") + "\n")
		}
		seen[line] = true
	}
	for _, h := range iptHooks {
		if h.Table == table && !seen["-A "+h.Chain+" "+h.Spec] {
			b.WriteString("-I " + h.Chain + " 1 " + h.Spec + "\n")
		}
	}
}

func isWantedHook(table, line string) bool {
	for _, h := range iptHooks {
		if h.Table == table && line == "-A "+h.Chain+" "+h.Spec {
			return true
		}
	}
	return false
}

// iptablesBackend applies the iptables mode: a full sync each time (one
// iptables-restore per sync, atomic per table), conntrack clean-up through
// netlink as in the nftables mode.
type iptablesBackend struct {
	cmd     iptablesCmd
	batches uint64 // restores sent, for tests
}

func (b *iptablesBackend) Apply(_, cur *Ruleset) (applyStats, error) {
	saves := map[string]string{}
	for _, table := range iptablesTables {
		s, err := b.cmd.save(table)
		if err != nil {
			return applyStats{}, err
		}
		saves[table] = s
	}
	st := applyStats{Full: true, ChainsWritten: len(cur.IPTables)}
	start := time.Now()
	if err := b.cmd.restore(iptablesRestoreInput(cur, saves)); err != nil {
		return st, fmt.Errorf("iptables sync: %w", err)
	}
	b.batches++
	st.Kernel = time.Since(start)
	return st, nil
}

func (b *iptablesBackend) Cleanup(string) error { return cleanupIPTables(b.cmd) }

func (b *iptablesBackend) FlushConntrack(stale staleFlows) (int, error) {
	return (&nftBackend{nsPath: b.cmd.nsPath}).FlushConntrack(stale)
}
