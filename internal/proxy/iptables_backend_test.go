package proxy

import (
	"strings"
	"testing"
)

// A sync declares (flushes) and refills our chains, deletes our chains that
// are no longer wanted, keeps one of each hook, and names nothing else.
func TestIPTablesRestoreInput(t *testing.T) {
	rs := &Ruleset{IPTables: []*IPTChain{
		{Table: "filter", Name: iptFilter},
		{Table: "nat", Name: iptServices, Rules: []string{"-d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j BERTH-SVC-A"}},
		{Table: "nat", Name: "BERTH-SVC-A", Rules: []string{"-j DNAT --to-destination 10.42.0.7:8080"}},
	}}
	hook := func(i int) string { return "-A " + iptHooks[i].Chain + " " + iptHooks[i].Spec }
	saves := map[string]string{
		"nat": strings.Join([]string{"*nat", ":PREROUTING ACCEPT [0:0]", ":BERTH-SERVICES - [0:0]", ":BERTH-SVC-OLD - [0:0]",
			hook(0), hook(0), // a duplicate
			"-A PREROUTING -j DOCKER", // someone else's
			"-A POSTROUTING -j BERTH-OLD-HOOK",
			"COMMIT"}, "\n"),
		"filter": "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
	}
	want := `*filter
:BERTH-FILTER - [0:0]
-I INPUT 1 ` + iptHooks[3].Spec + `
-I FORWARD 1 ` + iptHooks[4].Spec + `
-I OUTPUT 1 ` + iptHooks[5].Spec + `
COMMIT
*nat
:BERTH-SERVICES - [0:0]
:BERTH-SVC-A - [0:0]
:BERTH-SVC-OLD - [0:0]
-A BERTH-SERVICES -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j BERTH-SVC-A
-A BERTH-SVC-A -j DNAT --to-destination 10.42.0.7:8080
-X BERTH-SVC-OLD
-D PREROUTING ` + iptHooks[0].Spec + `
-D POSTROUTING -j BERTH-OLD-HOOK
-I OUTPUT 1 ` + iptHooks[1].Spec + `
-I POSTROUTING 1 ` + iptHooks[2].Spec + `
COMMIT
`
	if got := iptablesRestoreInput(rs, saves); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
