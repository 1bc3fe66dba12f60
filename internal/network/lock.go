package network

import (
	"hash/fnv"
	"sync"
)

// sandboxLocks serialise SetupPod/TeardownPod of one sandbox in this
// process (the agent should not overlap them, but a retry racing a slow
// call must not interleave netlink steps). Striped so memory stays bounded
// however many sandboxes come and go; two sandboxes sharing a stripe only
// wait for each other.
var sandboxLocks [64]sync.Mutex

func lockSandbox(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &sandboxLocks[h.Sum32()%uint32(len(sandboxLocks))]
	m.Lock()
	return m.Unlock
}
