package main

import (
	"flag"
	"fmt"
	"io"
)

// parseArgs parses flags placed before, between or after positional
// arguments ("dns NAME --type SRV"), which the flag package alone does not.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, min, max int, usage string) error {
	if len(pos) < min || len(pos) > max {
		return fmt.Errorf("usage: testhost %s", usage)
	}
	return nil
}
