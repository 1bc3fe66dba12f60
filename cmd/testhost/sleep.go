package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

func runSleep(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sleep", flag.ContinueOnError)
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 0, 1, usages["sleep"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var done <-chan time.Time // nil: forever
	if len(pos) == 1 {
		d, err := time.ParseDuration(pos[0])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		done = time.After(d)
	}
	select {
	case <-done:
	case <-ctx.Done(): // SIGTERM: a clean, prompt exit
		fmt.Fprintln(stdout, "terminated")
	}
	return 0
}

func runCrash(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crash", flag.ContinueOnError)
	after := fs.Duration("after", time.Second, "how long to run before exiting")
	code := fs.Int("code", 1, "exit code")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 0, 0, usages["crash"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintf(stdout, "crashing in %s with exit code %d\n", *after, *code)
	select {
	case <-time.After(*after):
	case <-ctx.Done():
	}
	fmt.Fprintf(stderr, "crashing now with exit code %d\n", *code)
	return *code
}
