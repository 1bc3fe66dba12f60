package runc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/runtime/oci"
	"github.com/berth-project/berth/internal/runtime/testutil"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The test binary doubles as a throw-away agent for the kill -9 test.
func TestMain(m *testing.M) {
	if os.Getenv("BERTH_RUNC_TEST_AGENT") == "1" {
		os.Exit(helperAgent())
	}
	os.Exit(m.Run())
}

// helperAgent starts one container and then waits to be killed.
func helperAgent() int {
	var a struct{ Root, State, ID, Bundle, Log string }
	if err := json.Unmarshal([]byte(os.Getenv("BERTH_RUNC_TEST_ARGS")), &a); err != nil {
		fmt.Println("bad args:", err)
		return 2
	}
	rt, err := New(Options{Root: a.Root, StateDir: a.State})
	if err != nil {
		fmt.Println(err)
		return 2
	}
	if _, err := rt.Run(context.Background(), a.ID, a.Bundle, CreateOptions{LogPath: a.Log}); err != nil {
		fmt.Println(err)
		return 2
	}
	fmt.Println("started")
	time.Sleep(time.Hour)
	return 0
}

type env struct {
	rt     *Runtime
	root   string // runc --root
	state  string
	netns  string
	cgroup string // cgroup parent under every hierarchy
}

func setup(t *testing.T) *env {
	testutil.RequireRoot(t)
	testutil.RequireRunc(t)
	testutil.RequireBusybox(t)
	base := t.TempDir()
	e := &env{root: filepath.Join(base, "runc"), state: filepath.Join(base, "state"), netns: testutil.NewNetNS(t),
		cgroup: fmt.Sprintf("/berth-test-%d", time.Now().UnixNano())}
	rt, err := New(Options{Root: e.root, StateDir: e.state, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	e.rt = rt
	t.Cleanup(func() {
		// Whatever a failed test left: kill and delete every container,
		// then the cgroup parents.
		ctx := context.Background()
		if list, err := rt.List(ctx); err == nil {
			for _, st := range list {
				rt.Delete(ctx, st.ID, true)
			}
		}
		rt.Close()
		out, _ := exec.Command("runc", "--root", e.root, "list", "-q").Output()
		for _, id := range strings.Fields(string(out)) {
			exec.Command("runc", "--root", e.root, "delete", "--force", id).Run()
		}
		for _, h := range cgroupHierarchies() {
			os.Remove(filepath.Join(h, e.cgroup))
		}
	})
	return e
}

func cgroupHierarchies() []string {
	var out []string
	for _, c := range []string{"cpu", "cpuacct", "memory", "pids", "devices", "freezer", "blkio", "cpuset", "systemd", "unified"} {
		out = append(out, filepath.Join("/sys/fs/cgroup", c))
	}
	return append(out, "/sys/fs/cgroup")
}

// bundle writes a bundle whose spec comes from oci.BuildSpec, so the specs
// we generate are the ones runc runs.
func (e *env) bundle(t *testing.T, id string, script string) string {
	dir := filepath.Join(t.TempDir(), "bundle")
	testutil.BusyboxRootFS(t, filepath.Join(dir, "rootfs"))
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod-a", Namespace: "default", UID: "u1"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Command: []string{"/bin/sh", "-c", script}}}}}
	spec, err := oci.BuildSpec(oci.Input{Pod: pod, Container: &pod.Spec.Containers[0], Image: v1.Config{Env: []string{"PATH=/bin"}},
		RootFS: filepath.Join(dir, "rootfs"), NetNSPath: e.netns, CgroupsPath: e.cgroup + "/" + id, PidsLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var criLineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (F|P) (.*)$`)

// readLog parses a CRI log file into "stream:content" lines.
func readLog(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := criLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("not a CRI log line: %q", sc.Text())
		}
		out = append(out, m[1]+":"+m[3])
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestContainerLifecycle(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := "life"
	bundle := e.bundle(t, id, `echo hello; echo oops >&2; while true; do sleep 1; done`)
	logPath := filepath.Join(t.TempDir(), "logs", "0.log")
	if err := e.rt.Create(ctx, id, bundle, CreateOptions{LogPath: logPath}); err != nil {
		t.Fatal(err)
	}
	if st, err := e.rt.State(ctx, id); err != nil || st.Status != StatusCreated {
		t.Fatalf("after create: %+v %v", st, err)
	}
	pid, err := e.rt.Start(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.State(ctx, id)
	if err != nil || st.Status != StatusRunning || st.Pid != pid {
		t.Fatalf("after start: %+v %v", st, err)
	}
	// The container is in the namespace we made, not the host's.
	nsLink, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	var want string
	testutil.InNetNS(e.netns, func() error { want, _ = os.Readlink("/proc/thread-self/ns/net"); return nil })
	if nsLink != want {
		t.Fatalf("container netns %s, want %s", nsLink, want)
	}
	waitFor(t, "log lines", func() bool { return len(readLog(t, logPath)) >= 2 })
	lines := readLog(t, logPath)
	if !contains(lines, "stdout:hello") || !contains(lines, "stderr:oops") {
		t.Fatalf("log lines %q", lines)
	}

	var out bytes.Buffer
	code, err := e.rt.Exec(ctx, id, ExecOptions{Args: []string{"hostname"}, Stdout: &out})
	if err != nil || code != 0 || out.String() != "pod-a\n" {
		t.Fatalf("exec hostname: %q code=%d err=%v", out.String(), code, err)
	}
	out.Reset()
	code, err = e.rt.Exec(ctx, id, ExecOptions{Args: []string{"hostname"}, TTY: true, Stdout: &out})
	if err != nil || code != 0 || !strings.Contains(out.String(), "pod-a\r\n") {
		t.Fatalf("exec hostname with tty: %q code=%d err=%v", out.String(), code, err)
	}
	out.Reset()
	code, err = e.rt.Exec(ctx, id, ExecOptions{Args: []string{"sh", "-c", "read x; echo got $x $FOO; exit 3"}, Env: []string{"FOO=bar"},
		Stdin: strings.NewReader("in\n"), Stdout: &out})
	if err != nil || code != 3 || out.String() != "got in bar\n" {
		t.Fatalf("exec with stdin: %q code=%d err=%v", out.String(), code, err)
	}
	if _, err := e.rt.Exec(ctx, id, ExecOptions{Args: []string{"/no/such/binary"}}); err == nil {
		t.Fatal("exec of a missing binary succeeded")
	}

	list, err := e.rt.List(ctx)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("List = %+v %v", list, err)
	}
	if err := e.rt.Delete(ctx, id, false); err == nil {
		t.Fatal("deleting a running container without force succeeded")
	}
	if err := e.rt.Kill(ctx, id, syscall.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err = e.rt.Wait(wctx, id)
	if err != nil || st.Status != StatusStopped || st.ExitCode != 137 || st.Finished.IsZero() {
		t.Fatalf("after kill: %+v %v", st, err)
	}
	if err := e.rt.Kill(ctx, id, syscall.SIGKILL, false); err != nil {
		t.Fatal("killing a stopped container:", err)
	}
	if err := e.rt.Delete(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	assertGone(t, e, id)
	if _, err := os.Stat(logPath); err != nil {
		t.Fatal("log file removed with the container")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// assertGone checks that nothing of a deleted container is left.
func assertGone(t *testing.T, e *env, id string) {
	t.Helper()
	if _, err := e.rt.State(context.Background(), id); err == nil {
		t.Fatal("state still known")
	}
	if _, err := os.Stat(filepath.Join(e.state, id)); !os.IsNotExist(err) {
		t.Fatal("state dir left")
	}
	if _, err := os.Stat(filepath.Join(e.root, id)); !os.IsNotExist(err) {
		t.Fatal("runc state left")
	}
	for _, h := range cgroupHierarchies() {
		if _, err := os.Stat(filepath.Join(h, e.cgroup, id)); err == nil {
			t.Fatalf("cgroup left in %s", h)
		}
	}
}

func TestExitCodeAndStartFailure(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	logPath := filepath.Join(t.TempDir(), "0.log")
	if _, err := e.rt.Run(ctx, "exits", e.bundle(t, "exits", "echo -n no-newline; exit 7"), CreateOptions{LogPath: logPath}); err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.Wait(ctx, "exits")
	if err != nil || st.ExitCode != 7 {
		t.Fatalf("%+v %v", st, err)
	}
	waitFor(t, "last line", func() bool { return contains(readLog(t, logPath), "stdout:no-newline") })
	if err := e.rt.Delete(ctx, "exits", false); err != nil {
		t.Fatal(err)
	}
	assertGone(t, e, "exits")

	// A process that cannot be started fails Start with runc's reason.
	bad := e.bundle(t, "bad", "true")
	var spec map[string]any
	data, _ := os.ReadFile(filepath.Join(bad, "config.json"))
	json.Unmarshal(data, &spec)
	spec["process"].(map[string]any)["args"] = []string{"/no/such/binary"}
	data, _ = json.Marshal(spec)
	os.WriteFile(filepath.Join(bad, "config.json"), data, 0o644)
	_, err = e.rt.Run(ctx, "bad", bad, CreateOptions{LogPath: filepath.Join(t.TempDir(), "bad.log")})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("start of a missing binary: %v", err)
	}
	st, err = e.rt.State(ctx, "bad")
	if err != nil || st.Status != StatusStopped || st.Error == "" {
		t.Fatalf("failed container state %+v %v", st, err)
	}
	if err := e.rt.Delete(ctx, "bad", false); err != nil {
		t.Fatal(err)
	}
	assertGone(t, e, "bad")
}

// The agent is killed -9 while its container runs and writes; a new agent
// picks the container up: no output is lost and the exit code is known.
func TestSurvivesAgentKill(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := "survivor"
	bundle := e.bundle(t, id, `i=0; while [ $i -lt 30 ]; do echo line $i; i=$((i+1)); sleep 0.05; done; exit 5`)
	logPath := filepath.Join(t.TempDir(), "0.log")
	args, _ := json.Marshal(map[string]string{"Root": e.root, "State": e.state, "ID": id, "Bundle": bundle, "Log": logPath})
	agent := exec.Command(os.Args[0], "-test.run=^$")
	agent.Env = append(os.Environ(), "BERTH_RUNC_TEST_AGENT=1", "BERTH_RUNC_TEST_ARGS="+string(args))
	stdout, _ := agent.StdoutPipe()
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "started\n" {
		t.Fatalf("helper agent: %q", line)
	}
	time.Sleep(300 * time.Millisecond)
	agent.Process.Signal(syscall.SIGKILL)
	agent.Wait()

	st, err := e.rt.State(ctx, id)
	if err != nil || st.Status != StatusRunning {
		t.Fatalf("container after agent death: %+v %v", st, err)
	}
	if err := e.rt.Reattach(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	st, err = e.rt.Wait(wctx, id)
	if err != nil || st.ExitCode != 5 {
		t.Fatalf("after exit: %+v %v", st, err)
	}
	if err := e.rt.Delete(ctx, id, false); err != nil { // also waits for the log copy to finish
		t.Fatal(err)
	}
	lines := readLog(t, logPath)
	if len(lines) != 30 {
		t.Fatalf("%d log lines, want 30: %q", len(lines), lines)
	}
	for i, l := range lines {
		if l != fmt.Sprintf("stdout:line %d", i) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
	assertGone(t, e, id)
}
