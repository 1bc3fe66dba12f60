package cluster

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// steps prints create's progress: "✓ Creating underlay 172.28.3.0/24". On a
// terminal the title shows while the step runs and is then overwritten.
type steps struct {
	w   io.Writer
	tty bool
}

func newSteps(w io.Writer) *steps {
	if w == nil {
		w = io.Discard
	}
	return &steps{w: w, tty: isTerminal(w)}
}

// do runs fn as one step titled title.
func (s *steps) do(title string, fn func() error) error {
	if s.tty {
		fmt.Fprintf(s.w, " • %s …", title)
	}
	start := time.Now()
	err := fn()
	if s.tty {
		fmt.Fprint(s.w, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(s.w, " ✗ %s\n", title)
		return err
	}
	fmt.Fprintf(s.w, " ✓ %s (%s)\n", title, time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (s *steps) printf(format string, args ...any) { fmt.Fprintf(s.w, format, args...) }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
