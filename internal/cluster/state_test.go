package cluster

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStateRoundTrip(t *testing.T) {
	root := t.TempDir()
	p := NewPaths(root, "/run/berth", "t1")
	if _, err := LoadState(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadState on nothing: %v", err)
	}
	want := &State{
		Name: "t1", Subnet: "172.28.3.0/24", Gateway: "172.28.3.1", Bridge: BridgeName("t1"),
		APIServer: "https://172.28.3.10:6443", Kubeconfig: p.Kubeconfig(), MergedInto: "/root/.kube/config",
		NoAgent: true, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UnderlayNetNS: "4:4026531840",
		Nodes: []Node{
			{Index: 0, Name: "t1-node0", NetNS: "berth-t1-node0", IP: "172.28.3.10", HostVeth: HostVethName("t1", 0), Role: "server"},
			{Index: 1, Name: "t1-node1", NetNS: "berth-t1-node1", IP: "172.28.3.11", HostVeth: HostVethName("t1", 1), Role: "agent"},
		},
	}
	if err := SaveState(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	if fi, err := os.Stat(p.StateFile()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode: %v %v", fi, err)
	}
	// no temp files left behind
	entries, _ := os.ReadDir(p.State)
	if len(entries) != 1 {
		t.Fatalf("state dir holds %d entries", len(entries))
	}
}

func TestListStates(t *testing.T) {
	root := t.TempDir()
	if got, err := ListStates(filepath.Join(root, "missing")); err != nil || got != nil {
		t.Fatalf("missing root: %v %v", got, err)
	}
	for _, n := range []string{"b", "a"} {
		if err := SaveState(NewPaths(root, "/run/berth", n), &State{Name: n, Subnet: "172.28.0.0/24"}); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(root, "half"), 0o700)       // killed before the state file
	os.Mkdir(filepath.Join(root, "Not_A_Name"), 0o700) // not a cluster
	os.WriteFile(filepath.Join(root, ".lock"), nil, 0o600)
	got, err := ListStates(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
	}
	if d := cmp.Diff([]string{"a", "b", "half"}, names); d != "" {
		t.Fatalf("names (-want +got):\n%s", d)
	}
	if got[0].Subnet != "172.28.0.0/24" || got[2].Subnet != "" {
		t.Fatalf("states: %+v %+v", got[0], got[2])
	}
}

func TestPaths(t *testing.T) {
	p := NewPaths("/s", "/r", "c")
	for got, want := range map[string]string{
		p.StateFile():    "/s/c/cluster.json",
		p.NodeImages(1):  "/s/c/nodes/node1/agent/images",
		p.ServerDir(0):   "/s/c/nodes/node0/server",
		p.MountNSPin(2):  "/s/c/nodes/node2/mntns",
		p.AgentRunDir(3): "/r/c/node3",
		p.PIDFile(0):     "/s/c/nodes/node0/pid",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}
