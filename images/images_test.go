package images

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-project/berth/internal/runtime/image"
	"github.com/berth-project/berth/internal/runtime/oci"
	"github.com/berth-project/berth/internal/runtime/runc"
	"github.com/berth-project/berth/internal/runtime/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestLayerTarIsDeterministicAndOrdered(t *testing.T) {
	entries := []entry{file("b/x", 0o644, []byte("x")), dir("b", 0o755), symlink("a", "/b/x"), dir("tmp", 0o777|os.ModeSticky)}
	one, err := layerTar(entries)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(entries)
	two, _ := layerTar(entries)
	if !bytes.Equal(one, two) {
		t.Fatal("layer depends on entry order")
	}
	tr := tar.NewReader(bytes.NewReader(one))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 {
			t.Fatalf("%s: %v %d %d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		if h.Name == "tmp/" && h.Mode != 0o1777 {
			t.Fatalf("tmp mode %o", h.Mode)
		}
		names = append(names, h.Name)
	}
	if !slices.Equal(names, []string{"a", "b/", "b/x", "tmp/"}) {
		t.Fatalf("order %v", names)
	}
}

// built builds the images once per test binary.
var built struct {
	once sync.Once
	res  *Result
	err  error
}

func buildImages(t *testing.T) *Result {
	t.Helper()
	testutil.RequireBusybox(t)
	if testing.Short() {
		t.Skip("builds testhost")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "berth-images-")
		if err != nil {
			built.err = err
			return
		}
		built.res, built.err = Build(context.Background(), Options{OutDir: dir, Logger: quiet()})
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.res != nil {
		os.RemoveAll(filepath.Dir(built.res.Busybox))
	}
	os.Exit(code)
}

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func fileDigest(t *testing.T, p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(data))
}

// Same source, same busybox: the same bytes, so the same digests.
func TestBuildIsReproducible(t *testing.T) {
	first := buildImages(t)
	second, err := Build(context.Background(), Options{OutDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if fileDigest(t, first.Testhost) != fileDigest(t, second.Testhost) || fileDigest(t, first.Busybox) != fileDigest(t, second.Busybox) {
		t.Fatal("two builds differ")
	}
}

// Both tarballs load into a store; the busybox layer is shared.
func TestImagesLoad(t *testing.T) {
	res := buildImages(t)
	s, err := image.New(t.TempDir(), image.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{res.Busybox, res.Testhost} {
		if _, err := s.Load(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	th, err := s.Get("testhost")
	if err != nil {
		t.Fatal(err)
	}
	bb, err := s.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(th.Config.Entrypoint, []string{"/testhost"}) || !slices.Equal(bb.Config.Cmd, []string{"sh"}) ||
		len(th.Layers) != 2 || th.Layers[0].DiffID != bb.Layers[0].DiffID {
		t.Fatalf("testhost %+v busybox %+v", th, bb)
	}
	layerRoot := s.LayerDir(bb.Layers[0].DiffID)
	if target, err := os.Readlink(filepath.Join(layerRoot, "bin/sh")); err != nil || target != "/bin/busybox" {
		t.Fatalf("bin/sh -> %q, %v", target, err)
	}
}

// The testhost image runs under runc in a pod network namespace and
// answers HTTP there.
func TestTesthostServesInPod(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireRunc(t)
	res := buildImages(t)
	ctx := context.Background()
	base := t.TempDir()
	s, err := image.New(filepath.Join(base, "images"), image.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, res.Testhost); err != nil {
		t.Fatal(err)
	}
	img, err := s.Get("testhost:latest")
	if err != nil {
		t.Fatal(err)
	}
	cdir := filepath.Join(base, "containers", "web")
	rootfs, err := s.RootFS(ctx, "testhost", cdir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.ReleaseRootFS(cdir); err != nil {
			t.Error(err)
		}
	})
	netns := testutil.NewNetNS(t)

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "default", UID: "u1"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web"}}}}
	cgroup := fmt.Sprintf("/berth-images-test-%d", time.Now().UnixNano())
	spec, err := oci.BuildSpec(oci.Input{Pod: pod, Container: &pod.Spec.Containers[0], Image: img.Config,
		RootFS: rootfs, NetNSPath: netns, CgroupsPath: cgroup + "/web", ImageFS: os.DirFS(rootfs)})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(cdir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	rt, err := runc.New(runc.Options{Root: filepath.Join(base, "runc"), StateDir: filepath.Join(base, "state"), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(base, "logs", "web", "0.log")
	// Registered after the rootfs cleanup, so it runs first: the container
	// goes before its root filesystem.
	t.Cleanup(func() {
		if err := rt.Delete(ctx, "web", true); err != nil {
			t.Error(err)
		}
		rt.Close()
		for _, h := range []string{"cpu", "cpuacct", "memory", "pids", "devices", "freezer", "blkio", "cpuset", "systemd", "unified"} {
			os.Remove(filepath.Join("/sys/fs/cgroup", h, cgroup))
		}
		os.Remove(filepath.Join("/sys/fs/cgroup", cgroup))
	})
	if _, err := rt.Run(ctx, "web", cdir, runc.CreateOptions{LogPath: logPath}); err != nil {
		t.Fatal(err)
	}

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return testutil.DialNetNS(ctx, netns, network, addr)
		},
	}}
	var resp *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err = client.Get("http://127.0.0.1:80/hello")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		Hostname string `json:"hostname"`
		Path     string `json:"path"`
		ClientIP string `json:"clientIP"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if info.Hostname != "web-0" || info.Path != "/hello" || info.ClientIP != "127.0.0.1" {
		t.Fatalf("answer %+v", info)
	}
	// busybox is there for a shell
	var out bytes.Buffer
	if code, err := rt.Exec(ctx, "web", runc.ExecOptions{Args: []string{"sh", "-c", "ls /testhost && id -u"}, Stdout: &out}); err != nil || code != 0 || out.String() != "/testhost\n0\n" {
		t.Fatalf("exec: %q %d %v", out.String(), code, err)
	}
	// The request shows up in the container's CRI log.
	deadline = time.Now().Add(5 * time.Second)
	for {
		data, _ := os.ReadFile(logPath)
		if strings.Contains(string(data), " stdout F GET /hello from 127.0.0.1:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log: %q", data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
