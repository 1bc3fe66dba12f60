package dns

import (
	"context"
	"net"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// maxChase bounds CNAME chains followed for ExternalName Services.
const maxChase = 8

// advertisedUDPSize is the EDNS(0) buffer size the server announces, and
// maxUDPSize the largest UDP response it sends, whatever a client offers.
const (
	advertisedUDPSize = 1232
	maxUDPSize        = 4096
)

// ServeDNS answers one query; it implements miekg/dns's Handler.
func (s *Server) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	start := time.Now()
	proto := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		proto = "tcp"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*s.cfg.ForwardTimeout)
	defer cancel()

	resp := s.handle(ctx, req, remoteIP(w.RemoteAddr()))
	if s.fit(resp, req, proto) {
		s.metrics.truncated.Inc()
	}
	if err := w.WriteMsg(resp); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	var qtype uint16
	if len(req.Question) > 0 {
		qtype = req.Question[0].Qtype
	}
	s.metrics.observe(qtype, resp.Rcode, proto, time.Since(start))
}

func remoteIP(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.UDPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// handle builds the response to a query.
func (s *Server) handle(ctx context.Context, req *mdns.Msg, client netip.Addr) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if req.Opcode != mdns.OpcodeQuery {
		m.Rcode = mdns.RcodeNotImplemented
		return m
	}
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		return m
	}
	q := req.Question[0]
	name := canonical(q.Name)
	ours := inZone(name, s.zone.zone)
	if !ours && !isReverse(name) {
		return s.forwardInto(ctx, m, q)
	}
	if ours && q.Qclass != mdns.ClassINET && q.Qclass != mdns.ClassANY {
		m.Rcode = mdns.RcodeRefused
		return m
	}
	if !s.isSynced.Load() {
		if ours {
			m.Rcode = mdns.RcodeServerFailure
			return m
		}
		return s.forwardInto(ctx, m, q)
	}

	res := s.zone.resolve(s.view, q.Name, q.Qtype)
	if res.notOurs {
		return s.forwardInto(ctx, m, q)
	}
	authoritative := true
	if res.rcode == mdns.RcodeNameError {
		if ap, local := s.autopath(ctx, q, name, client); ap != nil {
			res, authoritative = *ap, local
		}
	}
	res = s.complete(ctx, res, q.Qtype)
	m.Authoritative = authoritative
	m.Rcode = res.rcode
	m.Answer, m.Ns, m.Extra = res.answer, res.ns, res.extra
	return m
}

// forwardInto answers m's question from upstream.
func (s *Server) forwardInto(ctx context.Context, m *mdns.Msg, q mdns.Question) *mdns.Msg {
	up, err := s.fwd.resolve(ctx, q.Name, q.Qtype, q.Qclass)
	if err != nil {
		if err == errNoUpstream {
			m.Rcode = mdns.RcodeRefused
		} else {
			s.log.Debug("forwarding failed", "name", q.Name, "err", err)
			m.Rcode = mdns.RcodeServerFailure
		}
		return m
	}
	m.Rcode = up.Rcode
	m.Answer, m.Ns, m.Extra = up.Answer, up.Ns, up.Extra
	return m
}

// complete follows the CNAME of an ExternalName Service: the target's
// records (from the zone or upstream) are appended, and its rcode is the
// answer's. When upstream does not answer, the CNAME alone is returned.
func (s *Server) complete(ctx context.Context, res result, qtype uint16) result {
	for hops := 0; res.chase != "" && hops < maxChase; hops++ {
		target := res.chase
		res.chase = ""
		var next result
		if inZone(canonical(target), s.zone.zone) {
			next = s.zone.resolve(s.view, target, qtype)
		} else {
			up, err := s.fwd.resolve(ctx, target, qtype, mdns.ClassINET)
			if err != nil {
				break
			}
			next = result{rcode: up.Rcode, answer: up.Answer, ns: up.Ns}
		}
		res.rcode, res.ns, res.chase = next.rcode, next.ns, next.chase
		res.answer = append(res.answer, next.answer...)
		res.extra = append(res.extra, next.extra...)
	}
	return res
}

// autopath does server-side search-path expansion for a question that
// does not exist; nil when it does not apply or finds nothing. local is
// false when the answer came from upstream.
func (s *Server) autopath(ctx context.Context, q mdns.Question, name string, client netip.Addr) (res *result, local bool) {
	if s.cfg.AutoPath == AutoPathOff {
		return nil, false
	}
	ns, next, ok := searchCandidates(name, s.zone.zone, s.search)
	if !ok || (s.cfg.AutoPath == AutoPathPods && !s.clientIn(client, ns)) {
		return nil, false
	}
	for _, cand := range next {
		var r result
		local = inZone(cand, s.zone.zone)
		if local {
			r = s.zone.resolve(s.view, cand, q.Qtype)
		} else {
			up, err := s.fwd.resolve(ctx, cand, q.Qtype, q.Qclass)
			if err != nil {
				return nil, false // no better answer than the original
			}
			r = result{rcode: up.Rcode, answer: up.Answer, ns: up.Ns, extra: up.Extra}
		}
		if r.notOurs || r.rcode != mdns.RcodeSuccess {
			continue
		}
		cname := &mdns.CNAME{Hdr: s.zone.hdr(q.Name, mdns.TypeCNAME), Target: cand}
		r.answer = append([]mdns.RR{cname}, r.answer...)
		s.metrics.autopath.Inc()
		return &r, local
	}
	return nil, false
}

// clientIn reports whether the client is a pod of namespace ns whose search
// list the server knows.
func (s *Server) clientIn(client netip.Addr, ns string) bool {
	if !client.IsValid() {
		return false
	}
	for _, p := range s.view.podsByIP(client.String()) {
		if p.Namespace == ns && searchPathKnown(p) {
			return true
		}
	}
	return false
}

// fit adds the EDNS(0) record a client that sent one expects, and cuts a
// UDP response to the client's buffer size, setting TC so that it retries
// over TCP. It reports a truncation.
func (s *Server) fit(resp, req *mdns.Msg, proto string) bool {
	size := mdns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = min(max(int(opt.UDPSize()), mdns.MinMsgSize), maxUDPSize)
		resp.SetEdns0(advertisedUDPSize, false)
	}
	if proto == "tcp" {
		size = mdns.MaxMsgSize
	}
	resp.Truncate(size)
	resp.Compress = true // Truncate turns it off when the message fits anyway
	return proto == "udp" && resp.Truncated
}
