package dns

import (
	"sync"
	"time"

	mdns "github.com/miekg/dns"
)

// cacheKey identifies a forwarded question.
type cacheKey struct {
	name          string // canonical
	qtype, qclass uint16
}

type cacheEntry struct {
	msg             *mdns.Msg
	stored, expires time.Time
}

// answerCache keeps upstream answers for a short while, so that the same
// name asked by many pods costs one upstream exchange per TTL.
type answerCache struct {
	mu             sync.Mutex
	max            int
	maxTTL, maxNeg time.Duration
	entries        map[cacheKey]cacheEntry
	now            func() time.Time
}

func newAnswerCache(max int, maxTTL, maxNeg time.Duration) *answerCache {
	if max <= 0 {
		return nil
	}
	return &answerCache{max: max, maxTTL: maxTTL, maxNeg: maxNeg, entries: map[cacheKey]cacheEntry{}, now: time.Now}
}

// cacheTTL is how long an upstream answer may be kept: the smallest TTL of
// its records for an answer, the SOA's negative TTL (RFC 2308) for a
// denial, capped; 0 for what must not be cached.
func cacheTTL(m *mdns.Msg, maxTTL, maxNeg time.Duration) time.Duration {
	if m.Truncated {
		return 0
	}
	switch {
	case m.Rcode == mdns.RcodeSuccess && len(m.Answer) > 0:
		least := uint32(1<<32 - 1)
		for _, rr := range m.Answer {
			least = min(least, rr.Header().Ttl)
		}
		return min(time.Duration(least)*time.Second, maxTTL)
	case m.Rcode == mdns.RcodeSuccess || m.Rcode == mdns.RcodeNameError:
		for _, rr := range m.Ns {
			if soa, ok := rr.(*mdns.SOA); ok {
				return min(time.Duration(min(soa.Hdr.Ttl, soa.Minttl))*time.Second, maxNeg)
			}
		}
	}
	return 0
}

// get returns a copy of a cached answer with its TTLs aged.
func (c *answerCache) get(k cacheKey) (*mdns.Msg, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.entries[k]
	now := c.now()
	if ok && !now.Before(e.expires) {
		delete(c.entries, k)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	m := e.msg.Copy()
	age := uint32(now.Sub(e.stored) / time.Second)
	for _, sec := range [][]mdns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			if h := rr.Header(); rr.Header().Rrtype != mdns.TypeOPT {
				h.Ttl -= min(age, h.Ttl)
			}
		}
	}
	return m, true
}

// put stores an answer if it may be cached.
func (c *answerCache) put(k cacheKey, m *mdns.Msg) {
	if c == nil {
		return
	}
	ttl := cacheTTL(m, c.maxTTL, c.maxNeg)
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= c.max {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
	}
	for key := range c.entries { // still full: drop any
		if len(c.entries) < c.max {
			break
		}
		delete(c.entries, key)
	}
	c.entries[k] = cacheEntry{msg: m.Copy(), stored: now, expires: now.Add(ttl)}
}

func (c *answerCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
