package proxy

import (
	"strings"
	"testing"
)

// TestRootCleanup: Cleanup (berth agent --cleanup) removes the nftables
// table and the iptables mode's chains and hook rules from a fresh
// namespace, leaves other people's tables, chains and rules alone, and
// succeeds again when there is nothing left.
func TestRootCleanup(t *testing.T) {
	needRootNft(t)
	needIPTables(t)
	ns := newNetNS(t, "cleanup")
	if err := applyFull(ns, Desired(nil, nil, sampleNode(), Options{})); err != nil {
		t.Fatal(err)
	}
	ipt := iptablesCmd{bin: "iptables", nsPath: ns}
	if err := ipt.restore(`*nat
:BERTH-SERVICES - [0:0]
:BERTH-SVC-X - [0:0]
:OTHER - [0:0]
-A PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
-A PREROUTING -j OTHER
-A BERTH-SERVICES -d 10.43.0.1/32 -p tcp --dport 443 -j BERTH-SVC-X
-A BERTH-SVC-X -p tcp -j DNAT --to-destination 10.42.0.5:6443
COMMIT
*filter
:BERTH-FILTER - [0:0]
-A INPUT -m conntrack --ctstate NEW -j BERTH-FILTER
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`); err != nil {
		t.Fatal(err)
	}
	runIn(t, ns, "nft", "add", "table", "ip", "someone-else")

	for i := 0; i < 2; i++ { // idempotent
		if err := Cleanup(Options{NetNSPath: ns}); err != nil {
			t.Fatalf("Cleanup #%d: %v", i+1, err)
		}
	}
	tables := runIn(t, ns, "nft", "list", "tables")
	if strings.Contains(tables, TableName) || !strings.Contains(tables, "someone-else") {
		t.Fatalf("nft tables after cleanup:\n%s", tables)
	}
	for _, table := range iptablesTables {
		save, err := ipt.save(table)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(save, iptablesPrefix) {
			t.Fatalf("%s still has our chains or jumps:\n%s", table, save)
		}
		for _, keep := range map[string]string{"nat": "-A PREROUTING -j OTHER", "filter": "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"} {
			if strings.Contains(keep, "PREROUTING") != (table == "nat") {
				continue
			}
			if !strings.Contains(save, keep) {
				t.Fatalf("%s lost a rule that is not ours (%q):\n%s", table, keep, save)
			}
		}
	}
}

func TestCleanupText(t *testing.T) {
	save := `*nat
:PREROUTING ACCEPT [0:0]
:BERTH-SERVICES - [0:0]
:BERTH-SVC-X - [0:0]
-A PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
-A PREROUTING -j OTHER
-A BERTH-SERVICES -j BERTH-SVC-X
COMMIT
`
	want := `*nat
-D PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
:BERTH-SERVICES - [0:0]
:BERTH-SVC-X - [0:0]
-X BERTH-SERVICES
-X BERTH-SVC-X
COMMIT
`
	if got := cleanupText("nat", save); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := cleanupText("nat", "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"); got != "" {
		t.Fatalf("nothing of ours: got %q", got)
	}
}
