// Package udpecho is the bare UDP echo server that berth's benchmarks put
// next to the cluster DNS as the ceiling of the transport (the issue's "DNS
// queries per second against a bare UDP echo server in Go on the same
// address"): whatever a cluster DNS answer costs beyond it is the cost of
// answering.
package udpecho

import "net"

// Serve sends every datagram back to its sender until pc is closed.
func Serve(pc net.PacketConn) {
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = pc.WriteTo(buf[:n], from)
	}
}
