package dns

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"strings"
)

// resolvConf is what the server takes from a resolv.conf.
type resolvConf struct {
	servers []string // host:port
	search  []string // canonical domains
}

// parseResolvConf reads nameserver, search and domain lines (the last of
// search/domain wins, as in glibc). Other lines are ignored.
func parseResolvConf(b []byte) resolvConf {
	var rc resolvConf
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if a, err := netip.ParseAddr(f[1]); err == nil {
				rc.servers = append(rc.servers, net.JoinHostPort(a.String(), "53"))
			}
		case "search", "domain":
			rc.search = rc.search[:0]
			for _, d := range f[1:] {
				if d = canonical(d); d != "." {
					rc.search = append(rc.search, d)
				}
			}
		}
	}
	return rc
}

// upstreamAddr normalises "ip" or "ip:port" to host:port.
func upstreamAddr(s string) (string, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return net.JoinHostPort(a.String(), "53"), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.String(), true
	}
	return "", false
}

// withoutSelf drops upstreams that are this server (a node whose resolv.conf
// names the cluster DNS would otherwise loop).
func withoutSelf(servers []string, self []string) []string {
	var out []string
	for _, s := range servers {
		loop := false
		for _, l := range self {
			if s == l {
				loop = true
			}
		}
		if !loop {
			out = append(out, s)
		}
	}
	return out
}
