package proxy

// desiredWant is serviceText(Desired(case)) for each of desiredCases,
// reviewed by hand against kube-proxy's behaviour.
var desiredWant = map[string]string{
	"clusterIP, two endpoints, round-robin by default": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"annotation random": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen random mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"node default random, annotation round-robin wins": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"node default random, bad annotation ignored": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen random mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"single endpoint: plain goto": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"no EndpointSlice: reject": `
@cluster-ips: 10.43.0.10
@no-endpoint-services: 10.43.0.10 . tcp . 80 : goto reject-chain
`,
	"only not-ready endpoints: reject": `
@cluster-ips: 10.43.0.10
@no-endpoint-services: 10.43.0.10 . tcp . 80 : goto reject-chain
`,
	"terminating endpoint ignored while a ready one exists": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"only serving terminating endpoints: used": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.0.7/8080
`,
	"endpoints of two slices, duplicate counted once": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"headless and ExternalName: nothing": `
`,
	"multi-port: slice ports matched by name and protocol": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 53 : goto svc-ns/dns/tcp/dns-tcp
@service-ips: 10.43.0.10 . udp . 53 : goto svc-ns/dns/udp/dns
ep-ns/dns/tcp/dns-tcp__10.42.0.7/5353: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/dns/tcp/dns-tcp__10.42.0.7/5353: meta l4proto tcp dnat to 10.42.0.7:5353
ep-ns/dns/udp/dns__10.42.0.7/5353: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/dns/udp/dns__10.42.0.7/5353: meta l4proto udp dnat to 10.42.0.7:5353
svc-ns/dns/udp/dns: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/dns/udp/dns: goto ep-ns/dns/udp/dns__10.42.0.7/5353
svc-ns/dns/tcp/dns-tcp: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/dns/tcp/dns-tcp: goto ep-ns/dns/tcp/dns-tcp__10.42.0.7/5353
`,
	"NodePort: external chain masquerades": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
ext-ns/web/tcp/http: jump mark-for-masquerade
ext-ns/web/tcp/http: goto svc-ns/web/tcp/http
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"NodePort without endpoints: reject on the node port too": `
@cluster-ips: 10.43.0.10
@no-endpoint-nodeports: tcp . 30080 : goto reject-chain
@no-endpoint-services: 10.43.0.10 . tcp . 80 : goto reject-chain
`,
	"LoadBalancer with externalIP; ipMode Proxy ingress skipped": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-ips: 198.51.100.9 . tcp . 80 : goto ext-ns/web/tcp/http
@service-ips: 203.0.113.7 . tcp . 80 : goto ext-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
ext-ns/web/tcp/http: jump mark-for-masquerade
ext-ns/web/tcp/http: goto svc-ns/web/tcp/http
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"externalTrafficPolicy Local with a local endpoint": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
ext-ns/web/tcp/http: ip saddr 10.42.0.0/16 goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: fib saddr type local jump mark-for-masquerade
ext-ns/web/tcp/http: fib saddr type local goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: goto local-ns/web/tcp/http
local-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"externalTrafficPolicy Local without local endpoint: drop external": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ext-ns/web/tcp/http: ip saddr 10.42.0.0/16 goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: fib saddr type local jump mark-for-masquerade
ext-ns/web/tcp/http: fib saddr type local goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: drop
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"internalTrafficPolicy Local with a local endpoint": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto local-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
local-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
local-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.0.7/8080
`,
	"internalTrafficPolicy Local without local endpoint: drop": `
@cluster-ips: 10.43.0.10
@no-endpoint-services: 10.43.0.10 . tcp . 80 : drop
`,
	"internalTrafficPolicy Local with NodePort: external still cluster-wide": `
@cluster-ips: 10.43.0.10
@no-endpoint-services: 10.43.0.10 . tcp . 80 : drop
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ext-ns/web/tcp/http: jump mark-for-masquerade
ext-ns/web/tcp/http: goto svc-ns/web/tcp/http
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"endpoint without nodeName is local by podCIDR": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.3.3/8080: ip saddr 10.42.3.3 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.3.3/8080: meta l4proto tcp dnat to 10.42.3.3:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
ext-ns/web/tcp/http: ip saddr 10.42.0.0/16 goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: fib saddr type local jump mark-for-masquerade
ext-ns/web/tcp/http: fib saddr type local goto svc-ns/web/tcp/http
ext-ns/web/tcp/http: goto local-ns/web/tcp/http
local-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.3.3/8080
`,
	"session affinity ClientIP": `
set aff-ns/web/tcp/http__10.42.1.9/8080: timeout 1m0s
set aff-ns/web/tcp/http__10.42.0.7/8080: timeout 1m0s
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: update @aff-ns/web/tcp/http__10.42.1.9/8080 { ip saddr }
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ep-ns/web/tcp/http__10.42.0.7/8080: ip saddr 10.42.0.7 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.0.7/8080: update @aff-ns/web/tcp/http__10.42.0.7/8080 { ip saddr }
ep-ns/web/tcp/http__10.42.0.7/8080: meta l4proto tcp dnat to 10.42.0.7:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: ip saddr @aff-ns/web/tcp/http__10.42.0.7/8080 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: ip saddr @aff-ns/web/tcp/http__10.42.1.9/8080 goto ep-ns/web/tcp/http__10.42.1.9/8080
svc-ns/web/tcp/http: numgen inc mod 2 == 0 goto ep-ns/web/tcp/http__10.42.0.7/8080
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"no cluster CIDR: masquerade every ClusterIP connection": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
svc-ns/web/tcp/http: ip daddr 10.43.0.10 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"loadBalancerSourceRanges: firewall on the LB IP only, not the externalIP or NodePort": `
@cluster-ips: 10.43.0.10
@firewall-ips: 203.0.113.7 . tcp . 80 : goto fw-ns/web/tcp/http
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-ips: 198.51.100.9 . tcp . 80 : goto ext-ns/web/tcp/http
@service-ips: 203.0.113.7 . tcp . 80 : goto ext-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ext-ns/web/tcp/http: jump mark-for-masquerade
ext-ns/web/tcp/http: goto svc-ns/web/tcp/http
fw-ns/web/tcp/http: ip saddr 192.0.2.0/24 return
fw-ns/web/tcp/http: ip saddr 10.1.2.3 return
fw-ns/web/tcp/http: drop
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
	"loadBalancerSourceRanges from the annotation, without endpoints": `
@cluster-ips: 10.43.0.10
@firewall-ips: 203.0.113.7 . tcp . 80 : goto fw-ns/web/tcp/http
@no-endpoint-nodeports: tcp . 30080 : goto reject-chain
@no-endpoint-services: 10.43.0.10 . tcp . 80 : goto reject-chain
@no-endpoint-services: 203.0.113.7 . tcp . 80 : goto reject-chain
fw-ns/web/tcp/http: ip saddr 192.0.2.0/24 return
fw-ns/web/tcp/http: ip saddr 198.51.100.0/25 return
fw-ns/web/tcp/http: drop
`,
	"loadBalancerSourceRanges on a Service without ingress IP yet: nothing": `
@cluster-ips: 10.43.0.10
@service-ips: 10.43.0.10 . tcp . 80 : goto svc-ns/web/tcp/http
@service-nodeports: tcp . 30080 : goto ext-ns/web/tcp/http
ep-ns/web/tcp/http__10.42.1.9/8080: ip saddr 10.42.1.9 jump mark-for-masquerade
ep-ns/web/tcp/http__10.42.1.9/8080: meta l4proto tcp dnat to 10.42.1.9:8080
ext-ns/web/tcp/http: jump mark-for-masquerade
ext-ns/web/tcp/http: goto svc-ns/web/tcp/http
svc-ns/web/tcp/http: ip daddr 10.43.0.10 ip saddr != 10.42.0.0/16 jump mark-for-masquerade
svc-ns/web/tcp/http: goto ep-ns/web/tcp/http__10.42.1.9/8080
`,
}
