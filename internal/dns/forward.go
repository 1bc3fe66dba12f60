package dns

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
)

// errNoUpstream: names outside the cluster cannot be resolved.
var errNoUpstream = errors.New("no upstream servers")

// upstreamUDPSize is the EDNS(0) buffer size asked of upstreams, the DNS
// flag day 2020 value that avoids IP fragmentation.
const upstreamUDPSize = 1232

// forwarder sends names outside the cluster to the upstream servers, the
// one that answered last first, through a small cache.
type forwarder struct {
	servers []string
	timeout time.Duration
	cache   *answerCache
	metrics *metrics
	next    atomic.Uint32
}

// resolve answers a question from upstream (or the cache). The message
// has no OPT record; SERVFAIL and REFUSED answers make it try the next
// server, and are returned only when no server did better.
func (f *forwarder) resolve(ctx context.Context, name string, qtype, qclass uint16) (*mdns.Msg, error) {
	if f == nil || len(f.servers) == 0 {
		return nil, errNoUpstream
	}
	key := cacheKey{name: canonical(name), qtype: qtype, qclass: qclass}
	if m, ok := f.cache.get(key); ok {
		f.metrics.cache.WithLabelValues("hit").Inc()
		return m, nil
	}
	if f.cache != nil {
		f.metrics.cache.WithLabelValues("miss").Inc()
	}
	req := new(mdns.Msg)
	req.SetQuestion(mdns.Fqdn(name), qtype)
	req.Question[0].Qclass = qclass
	req.RecursionDesired = true
	req.SetEdns0(upstreamUDPSize, false)

	n := uint32(len(f.servers))
	first := f.next.Load()
	var last *mdns.Msg
	var lastErr error
	for i := range n {
		idx := (first + i) % n
		m, err := f.exchange(ctx, req, f.servers[idx])
		if err != nil {
			f.metrics.forwards.WithLabelValues("error").Inc()
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		f.metrics.forwards.WithLabelValues(rcodeLabel(m.Rcode)).Inc()
		stripOPT(m)
		if m.Rcode == mdns.RcodeServerFailure || m.Rcode == mdns.RcodeRefused {
			last = m
			continue
		}
		f.next.Store(idx)
		f.cache.put(key, m)
		return m, nil
	}
	if last != nil {
		return last, nil
	}
	return nil, lastErr
}

// exchange asks one server over UDP, and again over TCP if the answer was
// truncated.
func (f *forwarder) exchange(ctx context.Context, req *mdns.Msg, server string) (*mdns.Msg, error) {
	c := &mdns.Client{Net: "udp", Timeout: f.timeout, UDPSize: upstreamUDPSize}
	m, _, err := c.ExchangeContext(ctx, req, server)
	if err == nil && m.Truncated {
		c.Net = "tcp"
		m, _, err = c.ExchangeContext(ctx, req, server)
	}
	return m, err
}

// stripOPT removes the EDNS(0) record, which belongs to one hop.
func stripOPT(m *mdns.Msg) {
	out := m.Extra[:0]
	for _, rr := range m.Extra {
		if rr.Header().Rrtype != mdns.TypeOPT {
			out = append(out, rr)
		}
	}
	m.Extra = out
}
