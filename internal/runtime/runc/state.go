package runc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Status is a container's lifecycle state, with runc's names.
type Status string

const (
	StatusCreated Status = "created" // recorded, not started
	StatusRunning Status = "running"
	StatusPaused  Status = "paused"
	StatusStopped Status = "stopped" // exited; ExitCode is set
)

// State describes one container.
type State struct {
	ID       string
	Bundle   string
	LogPath  string
	Status   Status
	Pid      int // the container's init process, once started
	Created  time.Time
	Started  time.Time
	Finished time.Time // when the exit code was recorded
	ExitCode int       // valid when Stopped; 128+n when killed by signal n
	// Error is runc's message when the container could not be started.
	Error string
}

// runcState is the part of `runc state` output we use.
type runcState struct {
	Pid    int    `json:"pid"`
	Status string `json:"status"`
}

// State reports a container's state from berth's record, runc's state and
// the monitor's exit file.
func (r *Runtime) State(ctx context.Context, id string) (*State, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	dir := r.dir(id)
	m, err := readMeta(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, err
	}
	st := &State{ID: id, Bundle: m.Bundle, LogPath: m.LogPath, Created: m.Created, Started: m.Started, Status: StatusCreated}
	if m.Started.IsZero() {
		return st, nil
	}
	st.Pid, _ = readPid(dir)
	if code, at, err := readExit(dir); err == nil {
		st.Status, st.ExitCode, st.Finished = StatusStopped, code, at
		if st.Pid == 0 { // runc never got the process going
			st.Error = lastRuncError(filepath.Join(dir, runcLogFile))
		}
		return st, nil
	}
	out, err := r.runcOutput(ctx, "state", id)
	if err == nil {
		var rs runcState
		if err := json.Unmarshal(out, &rs); err != nil {
			return nil, fmt.Errorf("runc state %s: %w", id, err)
		}
		switch Status(rs.Status) {
		case StatusRunning, StatusPaused:
			st.Status = Status(rs.Status)
			return st, nil
		}
		// "creating"/"created": runc is still starting it; "stopped": the
		// monitor is about to record the exit code.
	}
	if r.monitorGone(dir) {
		if code, at, err := readExit(dir); err == nil { // recorded meanwhile
			st.Status, st.ExitCode, st.Finished = StatusStopped, code, at
			return st, nil
		}
		// The monitor was killed: the exit code is lost.
		st.Status, st.ExitCode, st.Error = StatusStopped, 255, "container monitor disappeared; exit code unknown"
		return st, nil
	}
	if st.Pid > 0 {
		st.Status = StatusRunning
	}
	return st, nil
}

// List returns every container in the state directory, by creation time.
func (r *Runtime) List(ctx context.Context) ([]*State, error) {
	entries, err := os.ReadDir(r.stateDir)
	if err != nil {
		return nil, err
	}
	var out []*State
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st, err := r.State(ctx, e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // being deleted
		}
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Wait blocks until a started container has exited and returns its state.
// It watches the monitor's exit file rather than asking runc, so waiting is
// cheap.
func (r *Runtime) Wait(ctx context.Context, id string) (*State, error) {
	st, err := r.State(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Status == StatusCreated {
		return nil, fmt.Errorf("container %s has not been started", id)
	}
	dir := r.dir(id)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for st.Status != StatusStopped {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		_, err := os.Stat(filepath.Join(dir, exitFile))
		if err != nil && !r.monitorGone(dir) {
			continue
		}
		if st, err = r.State(ctx, id); err != nil {
			return nil, err
		}
	}
	return st, nil
}
