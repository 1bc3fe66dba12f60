package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsNodeCmdline(t *testing.T) {
	dir := "/s/t1/nodes/node0/"
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"/usr/bin/berth", "server", "--data-dir", "/s/t1/nodes/node0/server"}, true},
		{[]string{"berth", "agent", "--root-dir", "/s/t1/nodes/node0/agent"}, true},
		{[]string{"berth", "server", "--data-dir", "/s/t1/nodes/node01/server"}, false},
		{[]string{"tail", "-f", "/s/t1/nodes/node0/log"}, false},
		{[]string{"berth", "cluster", "delete", "/s/t1/nodes/node0/x"}, false},
		{[]string{"berth"}, false},
		{[]string{"berth", "server", "--data-dir=/s/t1/nodes/node0/server"}, true},
		{[]string{"berth", "agent", "--ca-file", "/s/t1/nodes/node0/server/tls/ca.crt", "--root-dir", "/s/t1/nodes/node1/agent"}, false},
		{[]string{"berth", "agent", "--root-dir"}, false},
	} {
		if got := isNodeCmdline(tc.args, dir); got != tc.want {
			t.Errorf("isNodeCmdline(%q) = %v", tc.args, got)
		}
	}
}

func TestKnownNodes(t *testing.T) {
	// a name no namespace in /run/netns can have
	const name = "zz-knownnodes-test-cluster"
	p := NewPaths(t.TempDir(), "/run/berth", name)
	if got := knownNodes(p, name, nil); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	for _, d := range []string{"node0", "node2", "node02", "other"} {
		os.MkdirAll(filepath.Join(p.State, "nodes", d), 0o700)
	}
	st := &State{Nodes: []Node{{Index: 0, Name: "custom", NetNS: "berth-x", IP: "1.2.3.4"}, {Index: 1, Name: NodeName(name, 1)}}}
	got := knownNodes(p, name, st)
	want := []Node{
		{Index: 0, Name: "custom", NetNS: "berth-x", IP: "1.2.3.4"},
		{Index: 1, Name: NodeName(name, 1)},
		{Index: 2, Name: NodeName(name, 2), NetNS: NodeNetNS(name, 2), HostVeth: HostVethName(name, 2)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}
