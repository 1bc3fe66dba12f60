package network

import (
	"fmt"
	"net"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Limits the kubelet applies to a pod's resolver configuration (the
// apiserver's validation limits, ExpandedDNSConfig being GA).
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
	maxDNSSearchPathLen   = 253 // longer entries make some libcs abort()
)

// clusterFirstOptions are the options every ClusterFirst pod gets.
var clusterFirstOptions = []string{"ndots:5"}

// dnsConfig is a resolver configuration before it is rendered.
type dnsConfig struct {
	servers, searches, options []string
}

// ResolvConf returns the /etc/resolv.conf content of a pod, as the kubelet
// (and the runtime writing it) would produce it:
//
//   - ClusterFirst (also when unset) — nameservers are clusterDNS, search is
//     <ns>.svc.<domain> svc.<domain> <domain> followed by the host's search
//     list, options are "ndots:5". A hostNetwork pod with ClusterFirst gets
//     Default instead. Without clusterDNS it falls back to Default.
//   - ClusterFirstWithHostNet — as ClusterFirst, also for hostNetwork pods.
//   - Default — the host's nameservers, search and options.
//   - None — nothing but pod.Spec.DNSConfig.
//
// pod.Spec.DNSConfig is then merged in: nameservers and searches appended
// without duplicates, options merged by name with the pod's value winning.
// Finally the kubelet's limits apply: 3 nameservers, 32 search domains of at
// most 253 characters and 2048 characters in all.
//
// hostResolvConf is the node's upstream resolv.conf (on systemd-resolved
// hosts pass /run/systemd/resolve/resolv.conf, not the 127.0.0.53 stub).
// nil means "no host resolver configured" (kubelet --resolv-conf=""): then
// Default pods get nameserver 127.0.0.1 and search ".".
//
// One deliberate difference: the kubelet emits merged options in random
// (map) order; this keeps them in first-seen order.
func ResolvConf(pod *corev1.Pod, clusterDNS []net.IP, clusterDomain string, hostResolvConf []byte) []byte {
	if pod == nil {
		pod = &corev1.Pod{}
	}
	cfg := parseResolvConf(hostResolvConf)
	switch effectiveDNSPolicy(pod, len(clusterDNS) > 0) {
	case corev1.DNSNone:
		cfg = dnsConfig{}
	case corev1.DNSClusterFirst:
		cfg.servers = nil
		for _, ip := range clusterDNS {
			cfg.servers = append(cfg.servers, ip.String())
		}
		cfg.searches = clusterSearches(cfg.searches, pod.Namespace, clusterDomain)
		cfg.options = append([]string(nil), clusterFirstOptions...)
	case corev1.DNSDefault:
		if hostResolvConf == nil {
			// Like the kubelet with --resolv-conf="": "the local
			// machine's nameserver", and no search.
			cfg.servers = []string{"127.0.0.1"}
			cfg.searches = []string{"."}
		}
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		cfg.servers = omitDuplicates(append(cfg.servers, dc.Nameservers...))
		cfg.searches = omitDuplicates(append(cfg.searches, dc.Searches...))
		cfg.options = mergeDNSOptions(cfg.options, dc.Options)
	}
	if len(cfg.servers) > maxDNSNameservers {
		cfg.servers = cfg.servers[:maxDNSNameservers]
	}
	cfg.searches = fitSearches(cfg.searches)
	return renderResolvConf(cfg)
}

// effectiveDNSPolicy reduces a pod's dnsPolicy to None, ClusterFirst
// (cluster DNS) or Default (host DNS).
func effectiveDNSPolicy(pod *corev1.Pod, haveClusterDNS bool) corev1.DNSPolicy {
	switch pod.Spec.DNSPolicy {
	case corev1.DNSNone:
		return corev1.DNSNone
	case corev1.DNSDefault:
		return corev1.DNSDefault
	case corev1.DNSClusterFirstWithHostNet:
	default: // ClusterFirst, or unset/unknown which the kubelet treats alike
		if pod.Spec.HostNetwork {
			return corev1.DNSDefault
		}
	}
	if !haveClusterDNS {
		// The kubelet warns (MissingClusterDNS) and falls back.
		return corev1.DNSDefault
	}
	return corev1.DNSClusterFirst
}

// clusterSearches puts the cluster's search domains in front of the host's.
func clusterSearches(hostSearch []string, namespace, domain string) []string {
	if domain == "" {
		return hostSearch
	}
	return omitDuplicates(append([]string{
		fmt.Sprintf("%s.svc.%s", namespace, domain),
		"svc." + domain,
		domain,
	}, hostSearch...))
}

// parseResolvConf reads nameservers (they accumulate), the search list (the
// last "search" line wins; trailing dots are dropped so "a." and "a" count
// once) and options (the last "options" line wins), as the kubelet does.
func parseResolvConf(b []byte) dnsConfig {
	var cfg dnsConfig
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) >= 2 {
				cfg.servers = append(cfg.servers, f[1])
			}
		case "search":
			cfg.searches = nil
			for _, s := range f[1:] {
				if s = strings.TrimSuffix(s, "."); s != "" {
					cfg.searches = append(cfg.searches, s)
				}
			}
		case "options":
			cfg.options = append([]string(nil), f[1:]...)
		}
	}
	return cfg
}

// mergeDNSOptions merges pod options into existing ones by name ("name" or
// "name:value"); a pod option replaces an existing one of the same name.
func mergeDNSOptions(existing []string, pod []corev1.PodDNSConfigOption) []string {
	var names []string
	values := map[string]string{}
	set := func(name, value string) {
		if _, ok := values[name]; !ok {
			names = append(names, name)
		}
		values[name] = value
	}
	for _, op := range existing {
		name, value, _ := strings.Cut(op, ":")
		set(name, value)
	}
	for _, op := range pod {
		value := ""
		if op.Value != nil {
			value = *op.Value
		}
		set(op.Name, value)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if v := values[n]; v != "" {
			out = append(out, n+":"+v)
		} else {
			out = append(out, n)
		}
	}
	return out
}

// fitSearches applies the kubelet's search-list limits: at most 32 entries,
// none longer than 253 characters, and the joined line at most 2048
// characters (dropping from the end).
func fitSearches(s []string) []string {
	if len(s) > maxDNSSearchPaths {
		s = s[:maxDNSSearchPaths]
	}
	var out []string
	total := -1 // n entries joined by n-1 spaces
	for _, d := range s {
		if len(d) > maxDNSSearchPathLen {
			continue
		}
		out = append(out, d)
		total += len(d) + 1
	}
	for len(out) > 0 && total > maxDNSSearchListChars {
		total -= len(out[len(out)-1]) + 1
		out = out[:len(out)-1]
	}
	return out
}

// renderResolvConf writes the file the way container runtimes do: search,
// then nameservers, then options.
func renderResolvConf(cfg dnsConfig) []byte {
	var b strings.Builder
	if len(cfg.searches) > 0 {
		b.WriteString("search " + strings.Join(cfg.searches, " ") + "\n")
	}
	for _, s := range cfg.servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(cfg.options) > 0 {
		b.WriteString("options " + strings.Join(cfg.options, " ") + "\n")
	}
	return []byte(b.String())
}

func omitDuplicates(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
