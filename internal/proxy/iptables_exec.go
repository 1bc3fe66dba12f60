package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// iptablesPrefix starts the name of every chain the iptables mode owns; the
// built-in chains get exactly one jump rule each to one of them.
const iptablesPrefix = "BERTH-"

// iptablesCmd runs iptables-save / iptables-restore of one iptables variant
// ("iptables", "iptables-nft" or "iptables-legacy") in the namespace at
// nsPath ("" = current) through nsenter(1).
type iptablesCmd struct {
	bin    string
	nsPath string
}

func (c iptablesCmd) command(tool string, args ...string) *exec.Cmd {
	name := c.bin + "-" + tool // iptables-save, iptables-legacy-restore, …
	if c.nsPath == "" {
		return exec.Command(name, args...)
	}
	return exec.Command("nsenter", append([]string{"--net=" + c.nsPath, "--", name}, args...)...)
}

// save returns iptables-save's output for one table.
func (c iptablesCmd) save(table string) (string, error) {
	out, err := c.command("save", "-t", table).Output()
	if err != nil {
		return "", fmt.Errorf("%s-save -t %s: %w%s", c.bin, table, err, stderrOf(err))
	}
	return string(out), nil
}

// restore feeds input to iptables-restore --noflush: every table in it is
// replaced atomically, and only the chains it names are touched.
func (c iptablesCmd) restore(input string) error {
	cmd := c.command("restore", "--noflush", "--wait")
	cmd.Stdin = strings.NewReader(input)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s-restore: %w: %s", c.bin, err, bytes.TrimSpace(out))
	}
	return nil
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return ": " + string(bytes.TrimSpace(ee.Stderr))
	}
	return ""
}

// ownedRules parses iptables-save output of one table: our chains, and the
// rules of built-in chains that jump to one of them (as "-A CHAIN …" lines).
func ownedRules(save string) (chains, hooks []string) {
	sc := bufio.NewScanner(strings.NewReader(save))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, ":"+iptablesPrefix):
			chains = append(chains, strings.Fields(line[1:])[0])
		case strings.HasPrefix(line, "-A ") && !strings.HasPrefix(line, "-A "+iptablesPrefix) &&
			strings.Contains(line, " -j "+iptablesPrefix):
			hooks = append(hooks, line)
		}
	}
	return chains, hooks
}

// cleanupText is iptables-restore --noflush input that deletes the hook
// rules and then our chains of one table; "" when there is nothing.
func cleanupText(table, save string) string {
	chains, hooks := ownedRules(save)
	if len(chains) == 0 && len(hooks) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*" + table + "\n")
	for _, h := range hooks {
		b.WriteString("-D " + strings.TrimPrefix(h, "-A ") + "\n")
	}
	for _, c := range chains { // declaring a chain in a restore flushes it
		b.WriteString(":" + c + " - [0:0]\n")
	}
	for _, c := range chains {
		b.WriteString("-X " + c + "\n")
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// iptablesTables are the tables the iptables mode writes.
var iptablesTables = []string{"filter", "nat"}

// cleanupIPTables removes every BERTH-* chain and every jump to one from
// the filter and nat tables. A host without the iptables binary has
// nothing to clean.
func cleanupIPTables(c iptablesCmd) error {
	if _, err := exec.LookPath(c.bin + "-save"); err != nil {
		return nil
	}
	for _, table := range iptablesTables {
		save, err := c.save(table)
		if err != nil {
			return err
		}
		if text := cleanupText(table, save); text != "" {
			if err := c.restore(text); err != nil {
				return err
			}
		}
	}
	return nil
}
