package dns

import (
	"fmt"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

func msg(rcode int, answer []string, ns []string) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion("example.com.", mdns.TypeA)
	m.Rcode = rcode
	for _, s := range answer {
		m.Answer = append(m.Answer, mustRR(s))
	}
	for _, s := range ns {
		m.Ns = append(m.Ns, mustRR(s))
	}
	return m
}

func mustRR(s string) mdns.RR {
	rr, err := mdns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return rr
}

const upstreamSOA = "example.com. 3600 IN SOA ns.example.com. admin.example.com. 1 7200 1800 86400 2"

func TestCacheTTL(t *testing.T) {
	tests := []struct {
		name string
		m    *mdns.Msg
		want time.Duration
	}{
		{"smallest record TTL", msg(mdns.RcodeSuccess, []string{"example.com. 20 IN A 192.0.2.1", "example.com. 12 IN A 192.0.2.2"}, nil), 12 * time.Second},
		{"capped", msg(mdns.RcodeSuccess, []string{"example.com. 3600 IN A 192.0.2.1"}, nil), 30 * time.Second},
		{"NXDOMAIN: SOA minimum, capped", msg(mdns.RcodeNameError, nil, []string{upstreamSOA}), 2 * time.Second},
		{"NODATA", msg(mdns.RcodeSuccess, nil, []string{upstreamSOA}), 2 * time.Second},
		{"denial without SOA", msg(mdns.RcodeNameError, nil, nil), 0},
		{"SERVFAIL", msg(mdns.RcodeServerFailure, nil, nil), 0},
		{"zero TTL", msg(mdns.RcodeSuccess, []string{"example.com. 0 IN A 192.0.2.1"}, nil), 0},
	}
	for _, tt := range tests {
		if got := cacheTTL(tt.m, 30*time.Second, 5*time.Second); got != tt.want {
			t.Errorf("%s: cacheTTL = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAnswerCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newAnswerCache(2, 30*time.Second, 5*time.Second)
	c.now = func() time.Time { return now }
	k := cacheKey{"example.com.", mdns.TypeA, mdns.ClassINET}
	c.put(k, msg(mdns.RcodeSuccess, []string{"example.com. 20 IN A 192.0.2.1"}, nil))

	now = now.Add(7 * time.Second)
	m, ok := c.get(k)
	if !ok || m.Answer[0].Header().Ttl != 13 {
		t.Fatalf("after 7s: hit %v, answer %v", ok, m)
	}
	m.Answer[0].Header().Ttl = 999 // a copy
	if m2, _ := c.get(k); m2.Answer[0].Header().Ttl != 13 {
		t.Errorf("cache entry changed through a returned copy")
	}
	now = now.Add(13 * time.Second)
	if _, ok := c.get(k); ok {
		t.Errorf("hit after expiry")
	}
	for i := range 5 {
		c.put(cacheKey{fmt.Sprintf("n%d.", i), mdns.TypeA, mdns.ClassINET}, msg(mdns.RcodeSuccess, []string{"example.com. 20 IN A 192.0.2.1"}, nil))
	}
	if n := c.len(); n != 2 {
		t.Errorf("cache holds %d entries, bound is 2", n)
	}
	var none *answerCache
	none.put(k, msg(mdns.RcodeSuccess, nil, nil))
	if _, ok := none.get(k); ok {
		t.Errorf("disabled cache hit")
	}
}
