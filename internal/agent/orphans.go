package agent

import (
	"context"
	"os"
	"syscall"

	"github.com/berth-project/berth/internal/network"
)

// removeOrphans deletes containers, sandboxes and pod directories that
// belong to no pod the API knows for this node (deleted while the agent was
// down, or left by a crash half-way).
func (a *Agent) removeOrphans(ctx context.Context, live map[string]bool) {
	states, err := a.runc.List(ctx)
	if err == nil {
		for _, st := range states {
			uid, name, attempt, ok := parseRuncID(st.ID)
			if !ok || live[uid] {
				continue
			}
			_ = a.runc.Kill(ctx, st.ID, syscall.SIGKILL, true)
			if err := a.removeContainer(ctx, uid, name, attempt); err != nil {
				a.log.Warn("removing orphaned container", "id", st.ID, "err", err)
			}
		}
	}
	if removed, err := network.GarbageCollect(a.netCfg, live); err != nil {
		a.log.Warn("pod network garbage collection", "err", err)
	} else if len(removed) > 0 {
		a.log.Info("removed orphaned pod networks", "sandboxes", removed)
	}
	entries, _ := os.ReadDir(a.cfg.podsDir())
	for _, e := range entries {
		if live[e.Name()] {
			continue
		}
		_ = a.cleanupVolumes(e.Name())
		_ = a.teardownSandbox(e.Name(), true)
		a.removePodCgroups(e.Name())
		removePodDir(a.podDir(e.Name()))
	}
}
