package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPerfAndUDPSend(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 2)
	go func() { code, _, _ := run(t, ctx, "perf-server", "--port", strconv.Itoa(port)); done <- code }()
	go func() { code, _, _ := run(t, ctx, "udp-echo", "--port", strconv.Itoa(port)); done <- code }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for _, mode := range []string{"stream", "rr"} {
		var code int
		var out, errs string
		for i := 0; i < 100; i++ { // the server may not listen yet
			if code, out, errs = run(t, ctx, "perf", addr, "--mode", mode, "--duration", "100ms"); code != 2 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		var res perfResult
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
			t.Fatalf("perf %s: code %d out %q err %q", mode, code, out, errs)
		}
		if mode == "stream" && (res.Bytes == 0 || res.Gbps <= 0) || mode == "rr" && (res.Transactions == 0 || res.P99us < res.P50us) {
			t.Fatalf("perf %s: %+v", mode, res)
		}
	}
	code, out, errs := run(t, ctx, "udp-send", addr, "clientip", "--timeout", "2s")
	if code != 0 || !strings.HasPrefix(out, "127.0.0.1:") {
		t.Fatalf("udp-send: code %d out %q err %q", code, out, errs)
	}
	if code, _, _ := run(t, ctx, "perf", addr, "--mode", "x"); code != 2 {
		t.Fatalf("bad mode: code %d", code)
	}
	cancel()
	for i := 0; i < 2; i++ {
		if code := <-done; code != 0 {
			t.Fatalf("server exit code %d", code)
		}
	}
}
