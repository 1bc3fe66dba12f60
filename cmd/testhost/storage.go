package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// parseSize reads a byte count: plain, or with a binary (Ki, Mi, Gi) or
// decimal (k, M, G) suffix, as Kubernetes quantities are written.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// patternReader yields a fixed, non-trivial byte pattern, so a reader can
// tell written data from zeros (a hole or a fresh volume).
type patternReader struct{ off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte('a' + (p.off+int64(i))%26)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func runWrite(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("write", flag.ContinueOnError)
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 2, 2, usages["write"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	size, err := parseSize(pos[1])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	f, err := os.Create(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(&patternReader{}, size))
	if err == nil {
		err = f.Sync() // the data must be on the volume, not in the page cache
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d bytes sha256=%s\n", n, hex.EncodeToString(h.Sum(nil)))
	return 0
}

func runRead(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("read", flag.ContinueOnError)
	print := fs.Bool("print", false, "print the content instead of size and digest")
	pos, err := parseArgs(fs, args, stderr)
	if err == nil {
		err = wantArgs(pos, 1, 1, usages["read"])
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	f, err := os.Open(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer f.Close()
	if *print {
		if _, err := io.Copy(stdout, f); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "read %d bytes sha256=%s\n", n, hex.EncodeToString(h.Sum(nil)))
	return 0
}
