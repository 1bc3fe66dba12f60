package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

// runUDPSend sends one datagram and prints the reply: the client side of
// udp-echo ("clientip" answers with the address the server saw).
func runUDPSend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("udp-send", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the reply")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 2, 2, usages["udp-send"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	d := net.Dialer{}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := d.DialContext(ctx, "udp", pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	_ = c.SetDeadline(deadline)
	if _, err := c.Write([]byte(pos[1])); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	buf := make([]byte, 64*1024)
	n, err := c.Read(buf)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintln(stdout, string(buf[:n]))
	return 0
}
