package cluster

import (
	"slices"
	"testing"
)

func TestNextNode(t *testing.T) {
	st := &State{Name: "t", Subnet: "172.28.5.0/24", Nodes: []Node{{Index: 0}, {Index: 1}, {Index: 3}}}
	n, err := nextNode(st)
	if err != nil {
		t.Fatal(err)
	}
	want := Node{Index: 2, Name: "t-node2", NetNS: "berth-t-node2", IP: "172.28.5.12", HostVeth: HostVethName("t", 2), Role: "agent"}
	if n != want {
		t.Fatalf("got %+v, want %+v", n, want)
	}
	full := &State{Name: "t", Subnet: "172.28.5.0/24"}
	for i := 0; i < MaxNodes; i++ {
		full.Nodes = append(full.Nodes, Node{Index: i})
	}
	if _, err := nextNode(full); err == nil {
		t.Fatal("a full cluster got another node")
	}
	if _, err := nextNode(&State{Name: "t", Subnet: "bad"}); err == nil {
		t.Fatal("bad subnet accepted")
	}
}

func TestNodeArgsCarryExtraArguments(t *testing.T) {
	p := NewPaths("/s", "/r", "t")
	st := &State{Name: "t", APIServer: "https://172.28.5.10:6443",
		ServerArgs: []string{"--node-monitor-grace-period=10s"}, AgentArgs: []string{"--node-lease-duration-seconds=8"}}
	server := nodeArgs(p, st, Node{Index: 0, Name: "t-node0", IP: "172.28.5.10"})
	if server[0] != "server" || server[len(server)-1] != "--node-monitor-grace-period=10s" {
		t.Fatalf("server args %v", server)
	}
	agent := nodeArgs(p, st, Node{Index: 1, Name: "t-node1", IP: "172.28.5.11"})
	if agent[0] != "agent" || agent[len(agent)-1] != "--node-lease-duration-seconds=8" || slices.Contains(agent, "--node-monitor-grace-period=10s") {
		t.Fatalf("agent args %v", agent)
	}
}
