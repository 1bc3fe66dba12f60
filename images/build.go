package images

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Names of the images Build writes.
const (
	BusyboxRef  = "docker.io/library/busybox:latest"
	TesthostRef = "docker.io/library/testhost:latest"
)

// Options tune Build.
type Options struct {
	OutDir string // where busybox.tar and testhost.tar go (created)
	// ModuleDir is berth's module root (holds go.mod); found with
	// `go env GOMOD` from the working directory when empty.
	ModuleDir string
	GoBin     string // the go command; "go" when empty
	// Busybox is a statically linked busybox; Debian's busybox-static
	// (/bin/busybox or /usr/bin/busybox) when empty.
	Busybox string
	Logger  *slog.Logger
}

// Result says where the tarballs are.
type Result struct {
	Busybox  string // busybox.tar: BusyboxRef
	Testhost string // testhost.tar: TesthostRef
}

// defaultPath is the PATH both images set.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Build builds both test images.
func Build(ctx context.Context, opts Options) (*Result, error) {
	if opts.OutDir == "" {
		return nil, errors.New("images: OutDir is required")
	}
	if opts.GoBin == "" {
		opts.GoBin = "go"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ModuleDir == "" {
		out, err := exec.CommandContext(ctx, opts.GoBin, "env", "GOMOD").Output()
		mod := strings.TrimSpace(string(out))
		if err != nil || mod == "" || mod == os.DevNull {
			return nil, fmt.Errorf("images: cannot find berth's go.mod (run inside the module or set ModuleDir): %v", err)
		}
		opts.ModuleDir = filepath.Dir(mod)
	}
	bb := opts.Busybox
	if bb == "" {
		for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
			if isStatic(p) {
				bb = p
				break
			}
		}
		if bb == "" {
			return nil, errors.New("images: no static busybox found (apt-get install busybox-static)")
		}
	} else if !isStatic(bb) {
		return nil, fmt.Errorf("images: %s is not a statically linked executable", bb)
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, err
	}

	base, err := busyboxLayer(ctx, bb)
	if err != nil {
		return nil, err
	}
	bin, err := buildTesthost(ctx, opts)
	if err != nil {
		return nil, err
	}
	th, err := layerTar([]entry{file("testhost", 0o755, bin)})
	if err != nil {
		return nil, err
	}
	res := &Result{Busybox: filepath.Join(opts.OutDir, "busybox.tar"), Testhost: filepath.Join(opts.OutDir, "testhost.tar")}
	if err := WriteArchive(res.Busybox, []Image{{
		Name: BusyboxRef, Tag: "busybox:latest",
		Config: v1.Config{Cmd: []string{"sh"}, Env: []string{defaultPath}},
		Layers: [][]byte{base},
	}}); err != nil {
		return nil, err
	}
	if err := WriteArchive(res.Testhost, []Image{{
		Name: TesthostRef, Tag: "testhost:latest",
		Config: v1.Config{
			Entrypoint:   []string{"/testhost"},
			Cmd:          []string{"serve", "--port", "80"},
			Env:          []string{defaultPath},
			ExposedPorts: map[string]struct{}{"80/tcp": {}},
		},
		Layers: [][]byte{base, th},
	}}); err != nil {
		return nil, err
	}
	opts.Logger.Info("test images built", "busybox", res.Busybox, "testhost", res.Testhost)
	return res, nil
}

// buildTesthost compiles cmd/testhost statically and reproducibly: no cgo,
// no paths, VCS stamp or build ID in the binary.
func buildTesthost(ctx context.Context, opts Options) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "testhost-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "testhost")
	cmd := exec.CommandContext(ctx, opts.GoBin, "build", "-trimpath", "-buildvcs=false",
		"-ldflags=-s -w -buildid=", "-o", out, "./cmd/testhost")
	cmd.Dir = opts.ModuleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building testhost: %w: %s", err, stderr.String())
	}
	return os.ReadFile(out)
}

// busyboxLayer is the base layer: busybox, a link per applet (as busybox
// itself lists them), the usual directories and a minimal /etc.
func busyboxLayer(ctx context.Context, bb string) ([]byte, error) {
	bin, err := os.ReadFile(bb)
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, bb, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("listing busybox applets: %w", err)
	}
	entries := []entry{
		dir("bin", 0o755), dir("sbin", 0o755), dir("usr", 0o755), dir("usr/bin", 0o755), dir("usr/sbin", 0o755),
		dir("etc", 0o755), dir("root", 0o700), dir("home", 0o755), dir("var", 0o755), dir("var/run", 0o755),
		dir("proc", 0o555), dir("sys", 0o555), dir("dev", 0o755), dir("tmp", 0o777|os.ModeSticky),
		file("bin/busybox", 0o755, bin),
		file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")),
		file("etc/group", 0o644, []byte("root:x:0:\nnogroup:x:65534:\n")),
		file("etc/nsswitch.conf", 0o644, []byte("hosts: files dns\n")),
	}
	seen := map[string]bool{"bin/busybox": true}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		p := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "/")
		// Only applets in the usual bin directories; "linuxrc" and the like
		// make no sense in a container.
		if p == "" || seen[p] || !strings.Contains(p, "bin/") {
			continue
		}
		seen[p] = true
		entries = append(entries, symlink(p, "/bin/busybox"))
	}
	return layerTar(entries)
}

// isStatic reports whether path is an ELF executable with no interpreter.
func isStatic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
