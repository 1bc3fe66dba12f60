package runc

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The CRI log format, as the kubelet reads it.
const (
	criTimeFormat = "2006-01-02T15:04:05.000000000Z07:00"
	streamStdout  = "stdout"
	streamStderr  = "stderr"
	tagFull       = "F"
	tagPartial    = "P"
	// maxLogLine is the longest piece written as one log line, like
	// containerd's default max_container_log_line_size.
	maxLogLine = 16 * 1024
)

// criLine formats one log line: "<time> <stream> <F|P> <content>\n".
func criLine(ts time.Time, stream string, partial bool, content []byte) []byte {
	tag := tagFull
	if partial {
		tag = tagPartial
	}
	b := make([]byte, 0, len(criTimeFormat)+len(stream)+len(content)+8)
	b = ts.UTC().AppendFormat(b, criTimeFormat)
	b = append(b, ' ')
	b = append(b, stream...)
	b = append(b, ' ')
	b = append(b, tag...)
	b = append(b, ' ')
	b = append(b, content...)
	return append(b, '\n')
}

// lineSplitter cuts a byte stream into lines, and lines longer than max
// into partial pieces.
type lineSplitter struct {
	buf  []byte
	max  int
	emit func(line []byte, partial bool)
}

func (s *lineSplitter) Write(p []byte) {
	s.buf = append(s.buf, p...)
	start := 0
	for i := 0; i < len(s.buf); i++ {
		if s.buf[i] == '\n' {
			s.emit(s.buf[start:i], false)
			start = i + 1
		} else if i-start+1 == s.max {
			s.emit(s.buf[start:i+1], true)
			start = i + 1
		}
	}
	s.buf = append(s.buf[:0], s.buf[start:]...)
}

// Flush ends the stream: an unterminated last line is a full line.
func (s *lineSplitter) Flush() {
	if len(s.buf) > 0 {
		s.emit(s.buf, false)
		s.buf = s.buf[:0]
	}
}

// logWriter appends CRI lines of both streams to one file.
type logWriter struct {
	mu  sync.Mutex
	f   *os.File
	now func() time.Time
}

func openLogWriter(path string) (*logWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &logWriter{f: f, now: time.Now}, nil
}

func (w *logWriter) line(stream string, partial bool, content []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.f.Write(criLine(w.now(), stream, partial, content)) // a failed log write must not stop the copy
}

// logCopier moves a container's output from its FIFOs into its log file
// until the monitor has gone (the container's output is complete) or it
// is stopped.
type logCopier struct {
	w     *logWriter
	done  func() bool // the monitor has exited: EOF is final
	log   *slog.Logger
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	fifos []*os.File
}

// startLogCopier opens both FIFOs for reading (non-blocking open, so no
// writer is needed yet) and starts copying.
func startLogCopier(dir, logPath string, done func() bool, log *slog.Logger) (*logCopier, error) {
	w, err := openLogWriter(logPath)
	if err != nil {
		return nil, err
	}
	c := &logCopier{w: w, done: done, log: log, stop: make(chan struct{})}
	for _, stream := range []string{streamStdout, streamStderr} {
		f, err := os.OpenFile(filepath.Join(dir, stream), os.O_RDONLY|nonblock, 0)
		if err != nil {
			c.Stop()
			w.f.Close()
			return nil, err
		}
		c.fifos = append(c.fifos, f)
		c.wg.Add(1)
		go c.copy(f, stream)
	}
	go func() { c.wg.Wait(); w.f.Close() }()
	return c, nil
}

func (c *logCopier) copy(f *os.File, stream string) {
	defer c.wg.Done()
	defer f.Close()
	sp := &lineSplitter{max: maxLogLine, emit: func(line []byte, partial bool) { c.w.line(stream, partial, line) }}
	buf := make([]byte, 32*1024)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			sp.Write(buf[:n])
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			// No writer: either the monitor has not opened the FIFO yet or it
			// is gone, and then everything has been read.
			if c.done() {
				sp.Flush() // the stream is complete: a last unterminated line is whole
				return
			}
			select {
			case <-c.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		case errors.Is(err, os.ErrClosed):
			return
		default:
			c.log.Warn("reading container output", "stream", stream, "err", err)
			return
		}
	}
}

// Stop ends copying now (agent shutdown); data still in the FIFOs stays for
// the next reader.
func (c *logCopier) Stop() {
	c.once.Do(func() {
		close(c.stop)
		for _, f := range c.fifos {
			f.Close()
		}
	})
}

// Wait blocks until both streams are finished, or the timeout passes.
func (c *logCopier) Wait(timeout time.Duration) error {
	ch := make(chan struct{})
	go func() { c.wg.Wait(); close(ch) }()
	select {
	case <-ch:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("log copy still running after %s", timeout)
	}
}
