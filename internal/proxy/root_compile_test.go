package proxy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRootCompileMatchesText loads the same Ruleset twice into fresh
// namespaces — once through the Proxier's nftables writer, once as the
// rendered text through nft -f — and checks the kernel holds the same
// table, expression by expression and element by element. That proves
// String() tells the truth about what is programmed.
func TestRootCompileMatchesText(t *testing.T) {
	needRootNft(t)
	rs := Desired(sampleServices(), sampleSlices(), sampleNode(), Options{})

	viaWriter := newNetNS(t, "writer")
	if err := applyFull(viaWriter, rs); err != nil {
		t.Fatalf("apply: %v", err)
	}
	viaText := newNetNS(t, "text")
	file := filepath.Join(t.TempDir(), "rules.nft")
	if err := os.WriteFile(file, []byte(rs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runIn(t, viaText, "nft", "-f", file)

	got, want := kernelDump(t, viaWriter), kernelDump(t, viaText)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kernel table differs between writer and nft -f (-text +writer):\n%s", d)
	}
}

var (
	anonMap     = regexp.MustCompile(`__map\d+`)
	trailingNum = regexp.MustCompile(`( \d+)+$`)
)

// kernelDump is the table as the kernel holds it: nft --debug=netlink
// prints every set's raw elements and every rule's expressions before the
// pretty listing. The pretty part is dropped (nft prints keys of our sets
// differently only because set userdata — display hints nft alone reads —
// differ), anonymous set numbers and rule handles are dropped, and each
// block is sorted (elements come in hash order).
func kernelDump(t *testing.T, ns string) []string {
	t.Helper()
	out := runIn(t, ns, "nft", "--debug=netlink", "list", "table", "ip", TableName)
	out, _, _ = strings.Cut(out, "table ip "+TableName+" {")
	var blocks []string
	var cur []string
	ruleIndex := map[string]int{}
	flush := func() {
		if len(cur) > 0 {
			head, body := cur[0], slices.Clone(cur[1:])
			if strings.HasPrefix(head, "ip "+TableName+" @") {
				slices.Sort(body) // set elements: hash order
			}
			blocks = append(blocks, head+"\n"+strings.Join(body, "\n"))
		}
		cur = nil
	}
	for _, l := range strings.Split(out, "\n") {
		l = anonMap.ReplaceAllString(strings.TrimSpace(l), "__map")
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "ip "+TableName+" ") {
			flush()
			l = trailingNum.ReplaceAllString(l, "")
			if !strings.HasPrefix(l, "ip "+TableName+" @") { // a rule: keep its place in the chain
				ruleIndex[l]++
				l = fmt.Sprintf("%s #%d", l, ruleIndex[l])
			}
		}
		cur = append(cur, l)
	}
	flush()
	slices.Sort(blocks)
	return blocks
}

// kernelDumpOfText loads rs with nft -f into a fresh namespace and dumps it.
func kernelDumpOfText(t *testing.T, rs *Ruleset) []string {
	t.Helper()
	ns := newNetNS(t, "reference")
	file := filepath.Join(t.TempDir(), "rules.nft")
	if err := os.WriteFile(file, []byte(rs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runIn(t, ns, "nft", "-f", file)
	return kernelDump(t, ns)
}
