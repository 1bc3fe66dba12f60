package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// lookup resolves name for one record type and returns one answer per line.
func lookup(ctx context.Context, r *net.Resolver, name, typ string) ([]string, error) {
	var out []string
	switch strings.ToUpper(typ) {
	case "A", "AAAA":
		network := "ip4"
		if strings.EqualFold(typ, "AAAA") {
			network = "ip6"
		}
		ips, err := r.LookupIP(ctx, network, name)
		for _, ip := range ips {
			out = append(out, ip.String())
		}
		return out, err
	case "SRV":
		// An empty service and proto look the name up as given
		// ("_http._tcp.web.default.svc.cluster.local").
		_, srvs, err := r.LookupSRV(ctx, "", "", name)
		for _, s := range srvs {
			out = append(out, fmt.Sprintf("%d %d %d %s", s.Priority, s.Weight, s.Port, s.Target))
		}
		return out, err
	case "CNAME":
		c, err := r.LookupCNAME(ctx, name)
		if err == nil {
			out = append(out, c)
		}
		return out, err
	case "PTR":
		return r.LookupAddr(ctx, name)
	case "TXT":
		return r.LookupTXT(ctx, name)
	case "NS":
		nss, err := r.LookupNS(ctx, name)
		for _, ns := range nss {
			out = append(out, ns.Host)
		}
		return out, err
	case "MX":
		mxs, err := r.LookupMX(ctx, name)
		for _, mx := range mxs {
			out = append(out, fmt.Sprintf("%d %s", mx.Pref, mx.Host))
		}
		return out, err
	}
	return nil, fmt.Errorf("unsupported record type %q", typ)
}

func runDNS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dns", flag.ContinueOnError)
	typ := fs.String("type", "A", "record type: A, AAAA, SRV, CNAME, PTR, TXT, NS, MX")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 1, 1, usages["dns"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	answers, err := lookup(ctx, &net.Resolver{PreferGo: true}, pos[0], *typ)
	for _, a := range answers {
		fmt.Fprintln(stdout, a)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(answers) == 0 {
		fmt.Fprintln(stderr, "no answers")
		return 1
	}
	return 0
}
