package cluster

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleMountinfo = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
25 22 0:23 / /run rw,nosuid shared:5 - tmpfs tmpfs rw
300 25 0:4 net:[4026532300] /run/netns/berth-t1-node0 rw shared:200 - nsfs nsfs rw
301 22 0:4 mnt:[4026532301] /var/lib/berth/clusters/t1/nodes/node0/mntns rw - nsfs nsfs rw
302 22 0:4 mnt:[4026532302] /var/lib/berth/clusters/t10/nodes/node0/mntns rw - nsfs nsfs rw
303 22 0:50 / /var/lib/berth/clusters/t1/nodes/node0/agent/pods/x/rootfs rw - overlay overlay rw
304 25 0:4 net:[4026532304] /run/berth/t1/node0/netns/abc rw - nsfs nsfs rw
305 22 0:51 / /var/lib/berth/clusters/t1/with\040space rw - tmpfs tmpfs rw
306 22 0:52 / /var/lib/berth/clusters/t1 rw - tmpfs tmpfs rw
`

func TestParseMountPoints(t *testing.T) {
	got, err := parseMountPoints(strings.NewReader(sampleMountinfo + "short line\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9 || got[7] != "/var/lib/berth/clusters/t1/with space" {
		t.Fatalf("got %q", got)
	}
}

func TestMountsUnder(t *testing.T) {
	points, _ := parseMountPoints(strings.NewReader(sampleMountinfo))
	got := mountsUnder(append(points, "/run/berth/t1/node0/netns/abc"), "/var/lib/berth/clusters/t1/", "/run/berth/t1", "")
	want := []string{
		"/var/lib/berth/clusters/t1/nodes/node0/agent/pods/x/rootfs",
		"/var/lib/berth/clusters/t1/nodes/node0/mntns",
		"/var/lib/berth/clusters/t1/with space",
		"/run/berth/t1/node0/netns/abc",
		"/var/lib/berth/clusters/t1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if got := mountsUnder(points, "/nonexistent"); len(got) != 0 {
		t.Fatalf("got %q", got)
	}
}

func TestUnescapeMountField(t *testing.T) {
	for in, want := range map[string]string{
		`/a\040b`:   "/a b",
		`/a\011b`:   "/a\tb",
		`/a\134b`:   `/a\b`,
		`/plain`:    "/plain",
		`/trail\04`: `/trail\04`,
		`/bad\089`:  `/bad\089`,
	} {
		if got := unescapeMountField(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
