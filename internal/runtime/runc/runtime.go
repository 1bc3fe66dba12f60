package runc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

var (
	// ErrNotFound: no container with that ID.
	ErrNotFound = errors.New("container not found")
	// ErrExists: a container with that ID already exists.
	ErrExists = errors.New("container already exists")
)

// Options configure a Runtime.
type Options struct {
	// Binary is the runc executable; "runc" from PATH when empty.
	Binary string
	// Root is runc's --root, where runc keeps its own state (a tmpfs such
	// as /run/berth/runc in production).
	Root string
	// StateDir holds one directory per container: berth's record, the
	// output FIFOs, pid and exit files.
	StateDir string
	Logger   *slog.Logger
}

// Runtime runs containers with runc. One Runtime (one agent) per StateDir.
type Runtime struct {
	binary   string
	root     string
	stateDir string
	log      *slog.Logger

	mu      sync.Mutex
	copiers map[string]*logCopier
}

// New checks the options and creates the directories.
func New(opts Options) (*Runtime, error) {
	if opts.Root == "" || opts.StateDir == "" {
		return nil, errors.New("runc: Root and StateDir are required")
	}
	bin := opts.Binary
	if bin == "" {
		bin = "runc"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("runc binary: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	for _, d := range []string{opts.Root, opts.StateDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	root, _ := filepath.Abs(opts.Root)
	state, _ := filepath.Abs(opts.StateDir)
	return &Runtime{binary: path, root: root, stateDir: state,
		log: opts.Logger.With("component", "runc"), copiers: map[string]*logCopier{}}, nil
}

// idRE is runc's rule for container IDs; it also keeps IDs to one path element.
var idRE = regexp.MustCompile(`^[A-Za-z0-9_+\-.]+$`)

func validID(id string) error {
	if !idRE.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("invalid container id %q", id)
	}
	return nil
}

func (r *Runtime) dir(id string) string { return filepath.Join(r.stateDir, id) }

// command builds a runc invocation with our --root.
func (r *Runtime) command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, r.binary, append([]string{"--root", r.root}, args...)...)
}

// runcOutput runs runc and returns stdout; runc's stderr goes into the error.
func (r *Runtime) runcOutput(ctx context.Context, args ...string) ([]byte, error) {
	cmd := r.command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("runc %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// isNotExist recognises runc's "container does not exist" errors.
func isNotExist(err error) bool {
	return err != nil && strings.Contains(err.Error(), "does not exist")
}

// lastRuncError returns the last error message runc logged (JSON lines as
// written by --log-format json).
func lastRuncError(logPath string) string {
	f, err := os.Open(logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	last := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && (e.Level == "error" || e.Level == "fatal") {
			last = e.Msg
		}
	}
	return last
}
