package runc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// monitorScript is the per-container monitor (see the package doc). It
// holds the output FIFOs open read-write so the container never sees EPIPE
// while no agent reads, runs runc in the foreground, and records runc's
// exit status atomically. Arguments: state dir, then the runc command line.
const monitorScript = `dir=$1; shift
exec 3<>"$dir/stdout" 4<>"$dir/stderr"
"$@" </dev/null >&3 2>&4
code=$?
echo "$code" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
`

// CreateOptions tune Create.
type CreateOptions struct {
	// LogPath is the CRI log file the container's output is appended to
	// (the kubelet's /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log).
	LogPath string
}

// Create records a container for a bundle (a directory with config.json
// and the root filesystem) and makes its output FIFOs. Nothing runs yet.
func (r *Runtime) Create(ctx context.Context, id, bundle string, opts CreateOptions) error {
	if err := validID(id); err != nil {
		return err
	}
	if opts.LogPath == "" {
		return errors.New("runc: CreateOptions.LogPath is required")
	}
	bundle, err := filepath.Abs(bundle)
	if err != nil {
		return err
	}
	if err := checkBundle(bundle); err != nil {
		return err
	}
	logPath, err := filepath.Abs(opts.LogPath)
	if err != nil {
		return err
	}
	dir := r.dir(id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, id)
		}
		return err
	}
	for _, f := range []string{streamStdout, streamStderr} {
		if err := unix.Mkfifo(filepath.Join(dir, f), 0o600); err != nil {
			os.RemoveAll(dir)
			return err
		}
	}
	m := &meta{ID: id, Bundle: bundle, LogPath: logPath, Created: time.Now().UTC()}
	if err := writeMeta(dir, m); err != nil {
		os.RemoveAll(dir)
		return err
	}
	r.log.Debug("container created", "id", id, "bundle", bundle)
	return nil
}

// Start launches a created container and returns its pid once runc reports
// it running. If runc fails to start it, the error carries runc's message
// and the container is left stopped (State shows the failure).
func (r *Runtime) Start(ctx context.Context, id string) (int, error) {
	if err := validID(id); err != nil {
		return 0, err
	}
	dir := r.dir(id)
	m, err := readMeta(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return 0, err
	}
	if !m.Started.IsZero() {
		return 0, fmt.Errorf("container %s was already started", id)
	}
	// Record the start first: if the agent dies between launching the
	// monitor and writing its pid, the container still counts as started.
	m.Started = time.Now().UTC()
	if err := writeMeta(dir, m); err != nil {
		return 0, err
	}

	monitorDone := func() bool { return r.monitorGone(dir) }
	copier, err := startLogCopier(dir, m.LogPath, monitorDone, r.log.With("id", id))
	if err != nil {
		return 0, err
	}
	args := []string{"-c", monitorScript, "berth-monitor", dir,
		r.binary, "--root", r.root, "--log", filepath.Join(dir, runcLogFile), "--log-format", "json",
		"run", "--bundle", m.Bundle, "--pid-file", filepath.Join(dir, pidFile), "--keep", id}
	cmd := exec.Command("/bin/sh", args...)
	// Its own session: signals for the agent's process group or terminal
	// never reach it, and it outlives the agent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = dir
	mlog, err := os.OpenFile(filepath.Join(dir, monitorLog), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		copier.Stop()
		return 0, err
	}
	cmd.Stdout, cmd.Stderr = mlog, mlog
	if err := cmd.Start(); err != nil {
		mlog.Close()
		copier.Stop()
		return 0, fmt.Errorf("starting monitor for %s: %w", id, err)
	}
	mlog.Close()
	// Reap the monitor if it ends while we live; after an agent restart
	// its new parent (init) does.
	go cmd.Wait()
	m.MonitorPID = cmd.Process.Pid
	m.MonitorStart, _ = procStartTime(cmd.Process.Pid)
	if err := writeMeta(dir, m); err != nil {
		r.log.Error("recording monitor pid", "id", id, "err", err)
	}
	r.mu.Lock()
	r.copiers[id] = copier
	r.mu.Unlock()

	pid, err := r.waitStarted(ctx, dir)
	if err != nil {
		return 0, fmt.Errorf("starting container %s: %w", id, err)
	}
	r.log.Info("container started", "id", id, "pid", pid)
	return pid, nil
}

// Run is Create then Start.
func (r *Runtime) Run(ctx context.Context, id, bundle string, opts CreateOptions) (int, error) {
	if err := r.Create(ctx, id, bundle, opts); err != nil {
		return 0, err
	}
	return r.Start(ctx, id)
}

// waitStarted waits for runc's pid file (running) or the exit file (runc
// gave up, or the process already finished).
func (r *Runtime) waitStarted(ctx context.Context, dir string) (int, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if pid, err := readPid(dir); err == nil {
			return pid, nil
		}
		if _, err := os.Stat(filepath.Join(dir, exitFile)); err == nil {
			if pid, err := readPid(dir); err == nil {
				return pid, nil // it ran, and already exited
			}
			msg := lastRuncError(filepath.Join(dir, runcLogFile))
			if msg == "" {
				msg = "runc exited before the container started"
			}
			return 0, errors.New(msg)
		}
		if r.monitorGone(dir) {
			return 0, errors.New("monitor died before the container started")
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-tick.C:
		}
	}
}

func readPid(dir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("bad pid file %q", data)
	}
	return pid, nil
}

// readExit returns the recorded exit code and when it was recorded.
func readExit(dir string) (int, time.Time, error) {
	p := filepath.Join(dir, exitFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return 0, time.Time{}, err
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("bad exit file %q", data)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, time.Time{}, err
	}
	return code, fi.ModTime().UTC(), nil
}

// monitorGone reports whether a started container's monitor has finished.
func (r *Runtime) monitorGone(dir string) bool {
	m, err := readMeta(dir)
	if err != nil {
		return true
	}
	if m.MonitorPID == 0 {
		// Started but the pid is not recorded yet (or the agent died right
		// there): rely on the exit file alone.
		_, err := os.Stat(filepath.Join(dir, exitFile))
		return err == nil && time.Since(m.Started) > time.Second
	}
	return !processAlive(m.MonitorPID, m.MonitorStart)
}

// checkBundle refuses bundles the monitor cannot run: runc's foreground
// mode needs a controlling terminal for a TTY container, and a pty master
// would have to outlive the agent, which an sh monitor cannot hold.
func checkBundle(bundle string) error {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return fmt.Errorf("bundle %s: %w", bundle, err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("bundle %s: config.json: %w", bundle, err)
	}
	if spec.Process == nil {
		return fmt.Errorf("bundle %s: config.json has no process", bundle)
	}
	if spec.Process.Terminal {
		return errors.New("containers with a TTY (tty: true) are not supported yet; exec with a TTY is")
	}
	return nil
}
