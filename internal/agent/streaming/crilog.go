package streaming

import (
	"bytes"
	"fmt"
	"time"
)

// Stream names of CRI log lines.
const (
	streamStdout = "stdout"
	streamStderr = "stderr"
)

// tsFormatOut is how `timestamps=true` prints a line's time: RFC3339 with a
// fixed nine-digit fraction, as the kubelet prints it.
const tsFormatOut = "2006-01-02T15:04:05.000000000Z07:00"

// logEntry is one line of a CRI log file.
type logEntry struct {
	time    time.Time
	stream  string
	partial bool   // "P": the text continues in the next entry of the stream
	text    []byte // without the newline for partial entries, with it otherwise
}

// parseCRILine parses "<RFC3339Nano> <stdout|stderr> <tag> <text>\n". The tag
// is "F" (full) or "P" (partial), possibly followed by ":"-separated
// extensions, which are ignored. A full entry keeps its trailing newline (a
// last line without one, as a file being written may have, keeps none); a
// partial entry's newline is dropped, its text is joined with the next entry.
func parseCRILine(line []byte) (logEntry, error) {
	var e logEntry
	ts, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return e, fmt.Errorf("no timestamp in log line %q", line)
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return e, fmt.Errorf("bad timestamp in log line: %w", err)
	}
	stream, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		return e, fmt.Errorf("no stream in log line %q", line)
	}
	switch s := string(stream); s {
	case streamStdout, streamStderr:
		e.stream = s
	default:
		return e, fmt.Errorf("unknown stream %q in log line", s)
	}
	tag, text, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		// "ts stdout F\n" is an empty line written without a trailing space.
		tag, text = bytes.TrimSuffix(rest, []byte{'\n'}), []byte("\n")
		if !bytes.HasSuffix(rest, []byte{'\n'}) {
			text = nil
		}
	}
	tag, _, _ = bytes.Cut(tag, []byte{':'})
	e.partial = string(tag) == "P"
	if e.partial {
		text = bytes.TrimSuffix(text, []byte{'\n'})
	}
	e.time, e.text = t, text
	return e, nil
}
