package proxy

// iptWant is iptText(DesiredIPTables(case)), reviewed by hand against the
// nftables mode's expectations (desired_want_test.go).
var iptWant = map[string]string{
	"clusterIP round-robin": `
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-NODEPORTS: (empty)
nat BERTH-SEP-1: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SEP-2: -s 10.42.0.7/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-2: -p tcp -j DNAT --to-destination 10.42.0.7:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -m statistic --mode nth --every 2 --packet 0 -j BERTH-SEP-2
nat BERTH-SVC-1: -j BERTH-SEP-1
`,
	"node default random": `
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-NODEPORTS: (empty)
nat BERTH-SEP-1: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SEP-2: -s 10.42.0.7/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-2: -p tcp -j DNAT --to-destination 10.42.0.7:8080
nat BERTH-SEP-3: -s 10.42.0.8/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-3: -p tcp -j DNAT --to-destination 10.42.0.8:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -m statistic --mode random --probability 0.3333333333 -j BERTH-SEP-2
nat BERTH-SVC-1: -m statistic --mode random --probability 0.5000000000 -j BERTH-SEP-3
nat BERTH-SVC-1: -j BERTH-SEP-1
`,
	"no endpoints: reject": `
filter BERTH-FILTER: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-REJECT
filter BERTH-FILTER: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -m comment --comment "ns/web/tcp/http" -j BERTH-REJECT
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-NODEPORTS: (empty)
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
`,
	"session affinity": `
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-NODEPORTS: (empty)
nat BERTH-SEP-1: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -m recent --name BERTH-SEP-1 --set -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SEP-2: -s 10.42.0.7/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-2: -p tcp -m recent --name BERTH-SEP-2 --set -j DNAT --to-destination 10.42.0.7:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -m recent --name BERTH-SEP-2 --rcheck --seconds 60 --reap -j BERTH-SEP-2
nat BERTH-SVC-1: -m recent --name BERTH-SEP-1 --rcheck --seconds 60 --reap -j BERTH-SEP-1
nat BERTH-SVC-1: -m statistic --mode nth --every 2 --packet 0 -j BERTH-SEP-2
nat BERTH-SVC-1: -j BERTH-SEP-1
`,
	"LoadBalancer with source ranges and NodePort": `
filter BERTH-FILTER: -p tcp -m conntrack --ctorigdst 203.0.113.7/32 --ctorigdstport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-FW-1
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
filter BERTH-FW-1: -s 192.0.2.0/24 -j RETURN
filter BERTH-FW-1: -j DROP
nat BERTH-EXT-1: -j BERTH-MARK-MASQ
nat BERTH-EXT-1: -j BERTH-SVC-1
nat BERTH-NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment "ns/web/tcp/http" -j BERTH-EXT-1
nat BERTH-SEP-1: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-EXT-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -j BERTH-SEP-1
`,
	"externalTrafficPolicy Local without local endpoint": `
filter BERTH-FILTER: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -m comment --comment "ns/web/tcp/http" -j DROP
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-EXT-1: -s 10.42.0.0/16 -j BERTH-SVC-1
nat BERTH-EXT-1: -m addrtype --src-type LOCAL -j BERTH-MARK-MASQ
nat BERTH-EXT-1: -m addrtype --src-type LOCAL -j BERTH-SVC-1
nat BERTH-NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment "ns/web/tcp/http" -j BERTH-EXT-1
nat BERTH-SEP-1: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -j BERTH-SEP-1
`,
	"externalTrafficPolicy Local with a local endpoint": `
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-EXT-1: -s 10.42.0.0/16 -j BERTH-SVC-1
nat BERTH-EXT-1: -m addrtype --src-type LOCAL -j BERTH-MARK-MASQ
nat BERTH-EXT-1: -m addrtype --src-type LOCAL -j BERTH-SVC-1
nat BERTH-EXT-1: -j BERTH-LOCAL-1
nat BERTH-LOCAL-1: -j BERTH-SEP-1
nat BERTH-NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment "ns/web/tcp/http" -j BERTH-EXT-1
nat BERTH-SEP-2: -s 10.42.1.9/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-2: -p tcp -j DNAT --to-destination 10.42.1.9:8080
nat BERTH-SEP-1: -s 10.42.0.7/32 -j BERTH-MARK-MASQ
nat BERTH-SEP-1: -p tcp -j DNAT --to-destination 10.42.0.7:8080
nat BERTH-SERVICES: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j BERTH-SVC-1
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
nat BERTH-SVC-1: -d 10.43.0.10/32 ! -s 10.42.0.0/16 -j BERTH-MARK-MASQ
nat BERTH-SVC-1: -m statistic --mode nth --every 2 --packet 0 -j BERTH-SEP-1
nat BERTH-SVC-1: -j BERTH-SEP-2
`,
	"internalTrafficPolicy Local without local endpoint": `
filter BERTH-FILTER: -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "ns/web/tcp/http" -j DROP
filter BERTH-FILTER: -d 10.43.0.10/32 -j BERTH-REJECT
nat BERTH-NODEPORTS: (empty)
nat BERTH-SERVICES: -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j BERTH-NODEPORTS
`,
}
