package runc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Kill sends a signal to the container's init process, or with all to
// every process in it (needed when the pod shares its PID namespace). A
// container that already stopped is left alone.
func (r *Runtime) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	st, err := r.State(ctx, id)
	if err != nil {
		return err
	}
	switch st.Status {
	case StatusStopped:
		return nil
	case StatusCreated:
		return fmt.Errorf("container %s has not been started", id)
	}
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	args = append(args, id, strconv.Itoa(int(sig)))
	if _, err := r.runcOutput(ctx, args...); err != nil {
		// It may have exited between State and kill.
		if st2, err2 := r.State(ctx, id); err2 == nil && st2.Status == StatusStopped {
			return nil
		}
		return err
	}
	return nil
}

// Delete removes a container: runc's state and cgroups, berth's record and
// FIFOs (the log file stays; the kubelet owns it). A running container is
// refused unless force, which kills it first.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error {
	st, err := r.State(ctx, id)
	if err != nil {
		return err
	}
	if st.Status == StatusRunning || st.Status == StatusPaused {
		if !force {
			return fmt.Errorf("container %s is %s; stop it first or force", id, st.Status)
		}
		if err := r.Kill(ctx, id, syscall.SIGKILL, true); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := r.Wait(wctx, id)
		cancel()
		if err != nil {
			return fmt.Errorf("waiting for %s to die: %w", id, err)
		}
	}
	if st.Status != StatusCreated {
		if _, err := r.runcOutput(ctx, "delete", "--force", id); err != nil && !isNotExist(err) {
			return err
		}
	}
	r.mu.Lock()
	c := r.copiers[id]
	delete(r.copiers, id)
	r.mu.Unlock()
	if c != nil {
		// The monitor is gone, so the copier reaches EOF and finishes.
		if err := c.Wait(5 * time.Second); err != nil {
			r.log.Warn("log copier slow to finish; stopping it", "id", id, "err", err)
		}
		c.Stop()
	}
	if err := os.RemoveAll(r.dir(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	r.log.Info("container deleted", "id", id)
	return nil
}

// Reattach resumes log copying for every container whose monitor is still
// alive; the agent calls it after a restart.
func (r *Runtime) Reattach(ctx context.Context) error {
	entries, err := os.ReadDir(r.stateDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		id := e.Name()
		if validID(id) != nil {
			continue
		}
		dir := r.dir(id)
		m, err := readMeta(dir)
		if err != nil || m.Started.IsZero() || r.monitorGone(dir) {
			continue
		}
		r.mu.Lock()
		_, have := r.copiers[id]
		r.mu.Unlock()
		if have {
			continue
		}
		c, err := startLogCopier(dir, m.LogPath, func() bool { return r.monitorGone(dir) }, r.log.With("id", id))
		if err != nil {
			return fmt.Errorf("reattaching %s: %w", id, err)
		}
		r.mu.Lock()
		r.copiers[id] = c
		r.mu.Unlock()
		r.log.Info("reattached to container", "id", id)
	}
	return nil
}

// Close stops copying logs; containers keep running and a later Runtime
// can Reattach.
func (r *Runtime) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, c := range r.copiers {
		c.Stop()
		delete(r.copiers, id)
	}
}
