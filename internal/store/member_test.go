package store

import (
	"context"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestAddMember adds a (never started) member to a one-member embedded
// etcd and checks the initial-cluster string a joiner gets, also when the
// join is retried.
func TestAddMember(t *testing.T) {
	client, _ := FreeLocalAddr()
	peer, _ := FreeLocalAddr()
	ctx := context.Background()
	e, err := StartEmbedded(ctx, EmbeddedConfig{DataDir: t.TempDir(), ClientAddr: client, PeerAddr: peer, Name: "first"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cli, err := NewClient(e.Endpoints)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	want := "first=" + PeerURL(peer) + ",second=http://10.0.0.2:2380"
	for attempt := 0; attempt < 2; attempt++ {
		got, err := AddMember(ctx, cli, "second", "http://10.0.0.2:2380")
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(got, ",")
		if len(parts) != 2 || !strings.Contains(","+got+",", ",first="+PeerURL(peer)+",") || !strings.Contains(got, "second=http://10.0.0.2:2380") {
			t.Fatalf("attempt %d: initial cluster %q, want %q", attempt, got, want)
		}
	}
	list, err := cli.MemberList(ctx, clientv3.WithSerializable())
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Members) != 2 {
		t.Fatalf("%d members after a retried join, want 2", len(list.Members))
	}
}
