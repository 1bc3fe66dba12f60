package runc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ExecOptions describe a process to run in a running container.
type ExecOptions struct {
	Args []string
	Env  []string // added to (and overriding) the container's env
	Cwd  string   // default: the container's working directory
	TTY  bool     // give the process a terminal; stdout then carries both streams
	// Nil streams are /dev/null.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Exec runs a process in a running container, like kubectl exec: as the
// container's user with its capabilities and environment, and returns the
// process's exit code. An error means the process could not be run at all.
func (r *Runtime) Exec(ctx context.Context, id string, opts ExecOptions) (int, error) {
	if len(opts.Args) == 0 {
		return -1, errors.New("exec needs a command")
	}
	st, err := r.State(ctx, id)
	if err != nil {
		return -1, err
	}
	if st.Status != StatusRunning {
		return -1, fmt.Errorf("container %s is %s, not running", id, st.Status)
	}
	proc, err := execProcess(st.Bundle, opts)
	if err != nil {
		return -1, err
	}
	tmp, err := os.MkdirTemp(r.dir(id), "exec-")
	if err != nil {
		return -1, err
	}
	defer os.RemoveAll(tmp)
	data, err := json.Marshal(proc)
	if err != nil {
		return -1, err
	}
	procPath := filepath.Join(tmp, "process.json")
	if err := os.WriteFile(procPath, data, 0o600); err != nil {
		return -1, err
	}
	logPath := filepath.Join(tmp, "runc.log")
	cmd := r.command(ctx, "--log", logPath, "--log-format", "json", "exec", "--process", procPath, id)
	var code int
	if opts.TTY {
		code, err = runWithPty(cmd, opts)
	} else {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
		code, err = exitCode(cmd.Run())
	}
	if err != nil {
		return -1, err
	}
	// runc's own failure (no such binary, container gone) also exits
	// non-zero; its log tells the two apart.
	if msg := lastRuncError(logPath); msg != "" {
		return -1, fmt.Errorf("exec in %s: %s", id, msg)
	}
	return code, nil
}

// execProcess derives the exec'd process from the container's own: same
// user, capabilities, env and limits, other args.
func execProcess(bundle string, opts ExecOptions) (*specs.Process, error) {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("bundle config: %w", err)
	}
	if spec.Process == nil {
		return nil, errors.New("bundle config has no process")
	}
	p := *spec.Process
	p.Args = opts.Args
	p.Terminal = opts.TTY
	p.ConsoleSize = nil
	p.Env = mergeEnv(p.Env, opts.Env)
	if opts.Cwd != "" {
		p.Cwd = opts.Cwd
	}
	return &p, nil
}

// mergeEnv applies overrides ("K=V") to base, replacing same-named entries.
func mergeEnv(base, overrides []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range overrides {
		k := kv
		if i := strings.IndexByte(kv, '='); i >= 0 {
			k = kv[:i]
		}
		replaced := false
		for i, e := range out {
			if j := strings.IndexByte(e, '='); (j >= 0 && e[:j] == k) || e == k {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// exitCode turns a finished command's error into its exit code; only a
// failure to run it at all is an error.
func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return -1, err
}

// runWithPty runs runc with a new pseudo-terminal as its controlling
// terminal and stdio (runc's foreground TTY mode needs one) and copies
// between it and the caller's streams.
func runWithPty(cmd *exec.Cmd, opts ExecOptions) (int, error) {
	master, slave, err := openPty()
	if err != nil {
		return -1, err
	}
	defer master.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		return -1, err
	}
	slave.Close() // runc holds it now; its exit ends our reads with EIO
	var wg sync.WaitGroup
	if opts.Stdin != nil {
		go io.Copy(master, opts.Stdin) // ends with the master or the input
	}
	out := opts.Stdout
	if out == nil {
		out = io.Discard
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(out, master) // EIO when the last slave closes
	}()
	code, err := exitCode(cmd.Wait())
	wg.Wait()
	return code, err
}
