package dns

import (
	"net"
	"testing"

	"github.com/berth-project/berth/internal/udpecho"
	mdns "github.com/miekg/dns"
)

// BenchmarkServeUDP measures A queries for a ClusterIP Service over UDP on
// loopback ("dns"), next to a bare UDP echo of the same datagrams ("echo"):
// the transport's floor, so the ratio is the cost of answering.
//
//	go test -run '^$' -bench ServeUDP -cpu 1,4 ./internal/dns/
func BenchmarkServeUDP(b *testing.B) {
	ts := startServer(b, "127.0.0.1:1", nil)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pc.Close() })
	go udpecho.Serve(pc)
	q := new(mdns.Msg)
	q.SetQuestion("kubernetes.default.svc.cluster.local.", mdns.TypeA)
	query, err := q.Pack()
	if err != nil {
		b.Fatal(err)
	}
	for _, target := range []struct{ name, addr string }{{"dns", ts.addr}, {"echo", pc.LocalAddr().String()}} {
		b.Run(target.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				c, err := net.Dial("udp", target.addr)
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				buf := make([]byte, 1500)
				for pb.Next() {
					if _, err := c.Write(query); err != nil {
						b.Error(err)
						return
					}
					if n, err := c.Read(buf); err != nil || n < 12 {
						b.Error("no answer", err)
						return
					}
				}
			})
		})
	}
}
