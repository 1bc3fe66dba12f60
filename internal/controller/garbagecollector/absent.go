package garbagecollector

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// absentCache remembers owners verified absent by a live GET. UIDs are never
// reused, so once absent an owner stays absent; the cache spares one GET per
// dependent when many dependents share a deleted owner (the pods of a deleted
// ReplicaSet). The namespace is part of the key because a namespaced owner is
// only absent for the namespace it was looked up in.
type absentCache struct {
	mu  sync.Mutex
	max int
	m   map[absentKey]struct{}
}

type absentKey struct {
	uid       types.UID
	namespace string
}

func newAbsentCache(max int) *absentCache {
	return &absentCache{max: max, m: map[absentKey]struct{}{}}
}

func (c *absentCache) has(uid types.UID, namespace string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[absentKey{uid, namespace}]
	return ok
}

// add records an absent owner. When full the cache is simply emptied: a miss
// costs one GET, never a wrong decision.
func (c *absentCache) add(uid types.UID, namespace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		c.m = map[absentKey]struct{}{}
	}
	c.m[absentKey{uid, namespace}] = struct{}{}
}
