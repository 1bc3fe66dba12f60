package streaming

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

// errLimitReached ends a read once limitBytes have been written.
var errLimitReached = errors.New("log byte limit reached")

// logReader is an open container log, positioned where the request's
// output starts.
type logReader struct {
	f  *os.File
	lf LogFile
	o  LogOptions
}

// openLog opens the log in lf and seeks to the start of the requested tail.
// A missing file is an fs.ErrNotExist error.
func openLog(lf LogFile, o LogOptions) (*logReader, error) {
	f, err := os.Open(lf.Path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		var start int64
		if start, err = tailStart(f, fi.Size(), o.TailLines); err == nil {
			_, err = f.Seek(start, io.SeekStart)
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", lf.Path, err)
	}
	return &logReader{f: f, lf: lf, o: o}, nil
}

// Close closes the log file.
func (lr *logReader) Close() error { return lr.f.Close() }

// copyTo copies the log to w as the kubelet does: lines joined from partial
// entries, with timestamps, since, tail and byte limits applied. With Follow
// it keeps reading as the file grows (polling every poll, and reopening the
// path when the file was replaced by a new one) until ctx ends or lf.Done is
// closed and what is left has been read.
func (lr *logReader) copyTo(ctx context.Context, w io.Writer, poll time.Duration) error {
	o, lf := lr.o, lr.lf
	lw := newLogWriter(w, o)
	limited := o.TailLines >= 0 && !o.Follow // the tail is all there is to write
	left := o.TailLines
	r := bufio.NewReader(lr.f)
	var pending []byte // a line whose end has not been written yet
	var ticker *time.Ticker
	exited := false // lf.Done was closed before the current read pass
	emit := func(line []byte) error {
		e, err := parseCRILine(line)
		if err != nil {
			slog.Debug("skipping unparsable log line", "path", lf.Path, "err", err)
			return nil
		}
		left--
		return lw.write(e)
	}
	for {
		if limited && left <= 0 {
			return nil
		}
		chunk, err := r.ReadBytes('\n')
		pending = append(pending, chunk...)
		if err == nil {
			line := pending
			pending = pending[:0]
			if err := emit(line); err != nil {
				return ignoreLimit(err)
			}
			continue
		}
		if err != io.EOF {
			return err
		}
		if !o.Follow || exited {
			if len(pending) > 0 {
				return ignoreLimit(emit(pending))
			}
			return nil
		}
		if ticker == nil {
			ticker = time.NewTicker(poll)
			defer ticker.Stop()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-lf.Done:
			exited = true // read once more, then stop
		case <-ticker.C:
			if nf := reopenIfReplaced(lf.Path, lr.f); nf != nil {
				lr.f.Close()
				lr.f = nf
				r.Reset(nf)
			}
		}
	}
}

func ignoreLimit(err error) error {
	if errors.Is(err, errLimitReached) {
		return nil
	}
	return err
}

// reopenIfReplaced opens path when it now names another file than f (the
// log was rotated) and returns it, or nil.
func reopenIfReplaced(path string, f *os.File) *os.File {
	cur, err := f.Stat()
	if err != nil {
		return nil
	}
	now, err := os.Stat(path)
	if err != nil || os.SameFile(cur, now) {
		return nil
	}
	nf, err := os.Open(path)
	if err != nil {
		return nil
	}
	return nf
}

// logWriter writes log entries as `kubectl logs` shows them.
type logWriter struct {
	w       io.Writer
	o       LogOptions
	remain  int64           // bytes left under LimitBytes; <0 without a limit
	newLine map[string]bool // per stream: the next entry starts a line
}

func newLogWriter(w io.Writer, o LogOptions) *logWriter {
	remain := int64(-1)
	if o.LimitBytes > 0 {
		remain = o.LimitBytes
	}
	return &logWriter{w: w, o: o, remain: remain, newLine: map[string]bool{streamStdout: true, streamStderr: true}}
}

// write writes one entry: skipped when older than Since, prefixed with its
// time when Timestamps is set and it starts a line, cut at the byte limit.
func (lw *logWriter) write(e logEntry) error {
	starts := lw.newLine[e.stream]
	lw.newLine[e.stream] = !e.partial
	if !lw.o.Since.IsZero() && e.time.Before(lw.o.Since) {
		return nil
	}
	out := e.text
	if lw.o.Timestamps && starts {
		out = append([]byte(e.time.Format(tsFormatOut)+" "), out...)
	}
	if lw.remain >= 0 && int64(len(out)) > lw.remain {
		out = out[:lw.remain]
	}
	n, err := lw.w.Write(out)
	if lw.remain >= 0 {
		lw.remain -= int64(n)
	}
	if err != nil {
		return err
	}
	if lw.remain == 0 {
		return errLimitReached
	}
	return nil
}
