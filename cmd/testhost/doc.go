// Command testhost is the program inside berth's test image: one static
// binary whose sub-commands play the parts end-to-end tests need — a web
// server that says who answered and whom it saw, a UDP echo server, an HTTP
// client, a DNS client, a disk writer/reader and processes that sleep or
// crash on cue.
//
// It lets the tests check this part of the picture: "a pod gets its own IP,
// reachable from other pods and through Services; pods find Services by DNS
// name; a volume keeps data across container restarts; a crashing container
// is restarted with its exit code reported".
//
//	testhost serve [--port 80]            HTTP: JSON about the request; /healthz, /hostname, /clientip, /echo?msg=, /status/<code>
//	testhost udp-echo [--port 8081]       UDP: echoes datagrams; "hostname" and "clientip" are answered
//	testhost get URL [--timeout 5s]       HTTP GET: prints the body; exit 0 for 2xx, 1 for another status, 2 on error
//	testhost dns NAME [--type A]          DNS lookup through /etc/resolv.conf: A, AAAA, SRV, CNAME, PTR, TXT, NS, MX
//	testhost write FILE SIZE              writes SIZE bytes (e.g. 10Mi) of a fixed pattern, fsyncs, prints size and sha256
//	testhost read FILE [--print]          prints size and sha256 (or the content)
//	testhost sleep [DURATION]             sleeps (forever by default); SIGTERM ends it with 0
//	testhost crash [--after 1s] [--code 1] exits with code after a delay
//
// It is built with CGO_ENABLED=0, so name lookups use Go's resolver, which
// reads /etc/resolv.conf (search domains, ndots) like a pod's libc would.
package main
