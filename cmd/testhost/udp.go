package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

func runUDPEcho(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("udp-echo", flag.ContinueOnError)
	port := fs.Int("port", 8081, "UDP port to listen on (all addresses)")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 0, 0, usages["udp-echo"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	hostname, _ := os.Hostname()
	pc, err := net.ListenPacket("udp", net.JoinHostPort("", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "serving UDP echo on %s as %s\n", pc.LocalAddr(), hostname)
	go func() { <-ctx.Done(); pc.Close() }()
	buf := make([]byte, 64*1024)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			fmt.Fprintln(stderr, err)
			return 1
		}
		if _, err := pc.WriteTo(udpReply(buf[:n], hostname, addr.String()), addr); err != nil {
			fmt.Fprintln(stderr, "reply:", err)
		}
	}
}
