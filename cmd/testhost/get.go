package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// exitForStatus is get's exit code: 0 for 2xx, 1 for any other status.
func exitForStatus(code int) int {
	if code >= 200 && code < 300 {
		return 0
	}
	return 1
}

func runGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 1, 1, usages["get"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pos[0], nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	code := exitForStatus(resp.StatusCode)
	if code != 0 {
		fmt.Fprintln(stderr, "status:", resp.Status)
	}
	return code
}
