package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"time"
)

// perf-server and perf measure the pod network (the benchmark's iperf/netperf
// stand-ins). A connection starts with one byte: 's' streams (the server
// discards everything), 'r' is request/response (each 1-byte request is
// answered with 1 byte).

func runPerfServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("perf-server", flag.ContinueOnError)
	port := fs.Int("port", 5201, "TCP port")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 0, 0, usages["perf-server"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	l, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "perf server on %s\n", l.Addr())
	go func() { <-ctx.Done(); l.Close() }()
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			fmt.Fprintln(stderr, err)
			return 1
		}
		go perfServe(c)
	}
}

func perfServe(c net.Conn) {
	defer c.Close()
	mode := make([]byte, 1)
	if _, err := io.ReadFull(c, mode); err != nil {
		return
	}
	if mode[0] == 's' {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	b := make([]byte, 1)
	for {
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		if _, err := c.Write(b); err != nil {
			return
		}
	}
}

// perfResult is what perf prints (one JSON line).
type perfResult struct {
	Mode         string  `json:"mode"`
	Seconds      float64 `json:"seconds"`
	Bytes        int64   `json:"bytes,omitempty"`
	Gbps         float64 `json:"gbps,omitempty"`
	Transactions int     `json:"transactions,omitempty"`
	P50us        float64 `json:"p50_us,omitempty"`
	P99us        float64 `json:"p99_us,omitempty"`
}

func runPerf(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("perf", flag.ContinueOnError)
	mode := fs.String("mode", "stream", "stream (TCP throughput) or rr (1-byte request/response latency)")
	dur := fs.Duration("duration", 3*time.Second, "how long to measure")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 1, 1, usages["perf"])
	}
	if err == nil && *mode != "stream" && *mode != "rr" {
		err = fmt.Errorf("--mode %q: stream or rr", *mode)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer c.Close()
	var res perfResult
	if *mode == "stream" {
		res, err = perfStream(c, *dur)
	} else {
		res, err = perfRR(c, *dur)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return 0
}

func perfStream(c net.Conn, dur time.Duration) (perfResult, error) {
	buf := make([]byte, 128*1024)
	buf[0] = 's'
	start := time.Now()
	var n int64
	for time.Since(start) < dur {
		m, err := c.Write(buf)
		n += int64(m)
		if err != nil {
			return perfResult{}, err
		}
		buf[0] = 0
	}
	s := time.Since(start).Seconds()
	return perfResult{Mode: "stream", Seconds: s, Bytes: n, Gbps: float64(n) * 8 / s / 1e9}, nil
}

func perfRR(c net.Conn, dur time.Duration) (perfResult, error) {
	if _, err := c.Write([]byte{'r'}); err != nil {
		return perfResult{}, err
	}
	b := []byte{1}
	var lat []time.Duration
	start := time.Now()
	for time.Since(start) < dur {
		t := time.Now()
		if _, err := c.Write(b); err != nil {
			return perfResult{}, err
		}
		if _, err := io.ReadFull(c, b); err != nil {
			return perfResult{}, err
		}
		lat = append(lat, time.Since(t))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	return perfResult{Mode: "rr", Seconds: time.Since(start).Seconds(), Transactions: len(lat), P50us: pct(0.50), P99us: pct(0.99)}, nil
}
