package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseStatState(t *testing.T) {
	for in, want := range map[string]byte{
		"123 (berth) S 1 2 3": 'S',
		"9 (a) b) (c) Z 1":    'Z',
		"7 (with space) R 0":  'R',
		"garbage":             0,
		"1 (x)":               0,
	} {
		got, ok := parseStatState(in)
		if (want == 0) == ok || got != want {
			t.Errorf("parseStatState(%q) = %q, %v", in, got, ok)
		}
	}
}

func TestSelfIsAlive(t *testing.T) {
	if !alive(os.Getppid()) || alive(-1) {
		t.Fatal("alive is wrong")
	}
	if got := readPIDFile(filepath.Join(t.TempDir(), "none")); got != 0 {
		t.Fatal(got)
	}
}

func TestCgroupTree(t *testing.T) {
	root := t.TempDir()
	v1 := filepath.Join(root, "memory", "berth", "t1-node0")
	v2 := filepath.Join(root, "berth", "t1-node0")
	other := filepath.Join(root, "pids", "berth", "t1-node1")
	for _, d := range []string{filepath.Join(v1, "podA", "c1"), filepath.Join(v2, "podA"), other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(v1, "podA", "c1", "cgroup.procs"), []byte("101\n102\n"), 0o644)
	os.WriteFile(filepath.Join(v1, "cgroup.procs"), []byte("102\n"), 0o644)
	os.WriteFile(filepath.Join(other, "cgroup.procs"), []byte("999\n"), 0o644)

	got := nodeCgroupDirs(root, "t1-node0")
	if d := cmp.Diff([]string{v2, v1}, got); d != "" {
		t.Fatalf("dirs (-want +got):\n%s", d)
	}
	dirs, pids := cgroupTree(v1)
	if d := cmp.Diff([]string{filepath.Join(v1, "podA", "c1"), filepath.Join(v1, "podA"), v1}, dirs); d != "" {
		t.Fatalf("tree (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{102, 101}, pids); d != "" && cmp.Diff([]int{101, 102}, pids) != "" {
		t.Fatalf("pids %v", pids)
	}
	if got := nodeCgroupDirs(root, "t1-node9"); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestParsePIDList(t *testing.T) {
	if d := cmp.Diff([]int{1, 22}, parsePIDList("1\n22\nx\n-3\n")); d != "" {
		t.Fatal(d)
	}
}
