package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// A sub-command gets its arguments and returns the exit code.
type runFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// order lists the sub-commands as usage shows them.
var order = []string{"serve", "udp-echo", "udp-send", "perf-server", "perf", "get", "dns", "write", "read", "sleep", "crash"}

var usages = map[string]string{
	"serve":       "serve [--port 80] [--drain 0s]",
	"udp-echo":    "udp-echo [--port 8081]",
	"udp-send":    "udp-send HOST:PORT MESSAGE [--timeout 5s]",
	"perf-server": "perf-server [--port 5201]",
	"perf":        "perf HOST:PORT [--mode stream|rr] [--duration 3s]",
	"get":         "get URL [--timeout 5s]",
	"dns":         "dns NAME [--type A|AAAA|SRV|CNAME|PTR|TXT|NS|MX] [--timeout 5s]",
	"write":       "write FILE SIZE",
	"read":        "read FILE [--print]",
	"sleep":       "sleep [DURATION]",
	"crash":       "crash [--after 1s] [--code 1]",
}

func commandFor(name string) (runFunc, bool) {
	switch name {
	case "serve":
		return runServe, true
	case "udp-echo":
		return runUDPEcho, true
	case "udp-send":
		return runUDPSend, true
	case "perf-server":
		return runPerfServer, true
	case "perf":
		return runPerf, true
	case "get":
		return runGet, true
	case "dns":
		return runDNS, true
	case "write":
		return runWrite, true
	case "read":
		return runRead, true
	case "sleep":
		return runSleep, true
	case "crash":
		return runCrash, true
	}
	return nil, false
}

func main() {
	// As PID 1 in a container, a process gets no default action for
	// SIGTERM/SIGINT; turn them into a context cancel so every command stops
	// promptly when the kubelet asks.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	run, ok := commandFor(args[0])
	if !ok {
		fmt.Fprintf(stderr, "testhost: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: testhost COMMAND [ARGS]")
	for _, name := range order {
		fmt.Fprintln(w, "  testhost", usages[name])
	}
}
