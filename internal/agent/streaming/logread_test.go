package streaming

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// criLog is a small CRI log: two stdout lines, a line split in two partial
// entries, and a stderr line, one second apart.
const criLog = "" +
	"2024-01-02T03:04:01.000000001Z stdout F one\n" +
	"2024-01-02T03:04:02.000000002Z stdout F two\n" +
	"2024-01-02T03:04:03Z stdout P thr\n" +
	"2024-01-02T03:04:04Z stdout F ee\n" +
	"2024-01-02T03:04:05Z stderr F oops\n"

// readLog opens lf and copies it to w.
func readLog(ctx context.Context, lf LogFile, o LogOptions, w io.Writer, poll time.Duration) error {
	lr, err := openLog(lf, o)
	if err != nil {
		return err
	}
	defer lr.Close()
	return lr.copyTo(ctx, w, poll)
}

// startFollow opens lf now and copies it to w in the background.
func startFollow(t *testing.T, ctx context.Context, lf LogFile, o LogOptions, w io.Writer) <-chan error {
	t.Helper()
	lr, err := openLog(lf, o)
	if err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() {
		defer lr.Close()
		result <- lr.copyTo(ctx, w, time.Millisecond)
	}()
	return result
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLog(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name    string
		content string
		o       LogOptions
		want    string
	}{
		{"all", criLog, LogOptions{TailLines: -1}, "one\ntwo\nthree\noops\n"},
		{"timestamps only on line starts", criLog, LogOptions{TailLines: -1, Timestamps: true},
			"2024-01-02T03:04:01.000000001Z one\n2024-01-02T03:04:02.000000002Z two\n2024-01-02T03:04:03.000000000Z three\n2024-01-02T03:04:05.000000000Z oops\n"},
		{"tail 1", criLog, LogOptions{TailLines: 1}, "oops\n"},
		{"tail 3 counts file lines", criLog, LogOptions{TailLines: 3}, "three\noops\n"},
		{"tail 0", criLog, LogOptions{TailLines: 0}, ""},
		{"tail more than there is", criLog, LogOptions{TailLines: 100}, "one\ntwo\nthree\noops\n"},
		{"since", criLog, LogOptions{TailLines: -1, Since: at("2024-01-02T03:04:02Z")}, "two\nthree\noops\n"},
		{"since after all", criLog, LogOptions{TailLines: -1, Since: at("2025-01-01T00:00:00Z")}, ""},
		{"limit cuts a line", criLog, LogOptions{TailLines: -1, LimitBytes: 6}, "one\ntw"},
		{"limit with timestamps", criLog, LogOptions{TailLines: -1, LimitBytes: 10, Timestamps: true}, "2024-01-02"},
		{"limit larger than log", criLog, LogOptions{TailLines: -1, LimitBytes: 1000}, "one\ntwo\nthree\noops\n"},
		{"bad lines skipped", "garbage\n" + criLog, LogOptions{TailLines: -1}, "one\ntwo\nthree\noops\n"},
		{"unterminated last line", "2024-01-02T03:04:01Z stdout F a\n2024-01-02T03:04:02Z stdout F b", LogOptions{TailLines: -1}, "a\nb"},
		{"empty", "", LogOptions{TailLines: -1}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := readLog(context.Background(), LogFile{Path: writeTemp(t, c.content)}, c.o, &out, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != c.want {
				t.Fatalf("got %q, want %q", out.String(), c.want)
			}
		})
	}
}

func TestReadLogMissingFile(t *testing.T) {
	err := readLog(context.Background(), LogFile{Path: filepath.Join(t.TempDir(), "nope")}, LogOptions{TailLines: -1}, &bytes.Buffer{}, time.Millisecond)
	if !os.IsNotExist(err) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestReadLogFollow(t *testing.T) {
	cases := []struct {
		name   string
		o      LogOptions
		writes []string // appended one after another, each once the output caught up
		seen   []string // the output after each write
	}{
		{
			name:   "grows until done",
			o:      LogOptions{Follow: true, TailLines: -1},
			writes: []string{"2024-01-02T03:04:06Z stdout F six\n", "2024-01-02T03:04:07Z stdout F seven\n"},
			seen:   []string{"one\ntwo\nthree\noops\nsix\n", "one\ntwo\nthree\noops\nsix\nseven\n"},
		},
		{
			name: "half-written line waits for its end",
			o:    LogOptions{Follow: true, TailLines: 1},
			writes: []string{"2024-01-02T03:04:06Z stdout F si",
				"x\n2024-01-02T03:04:07Z stdout P sev\n", "2024-01-02T03:04:08Z stdout F en\n"},
			seen: []string{"oops\n", "oops\nsix\nsev", "oops\nsix\nseven\n"},
		},
		{
			name:   "tail 0 shows only new lines",
			o:      LogOptions{Follow: true, TailLines: 0},
			writes: []string{"2024-01-02T03:04:06Z stdout F new\n"},
			seen:   []string{"new\n"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTemp(t, criLog)
			done := make(chan struct{})
			out := &syncBuffer{}
			result := startFollow(t, context.Background(), LogFile{Path: path, Done: done}, c.o, out)
			for i, w := range c.writes {
				appendFile(t, path, w)
				want := c.seen[i]
				waitFor(t, "output "+want, func() bool { return out.String() == want })
			}
			appendFile(t, path, "2024-01-02T03:04:09Z stdout F last\n")
			close(done)
			select {
			case err := <-result:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("follow did not end after Done")
			}
			if got := out.String(); !strings.HasSuffix(got, "last\n") {
				t.Fatalf("lines written before Done were lost: %q", got)
			}
		})
	}
}

func TestReadLogFollowEndsWithContext(t *testing.T) {
	path := writeTemp(t, criLog)
	ctx, cancel := context.WithCancel(context.Background())
	result := startFollow(t, ctx, LogFile{Path: path}, LogOptions{Follow: true, TailLines: -1}, &syncBuffer{})
	cancel()
	select {
	case err := <-result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end with its context")
	}
}

func TestReadLogFollowRotation(t *testing.T) {
	path := writeTemp(t, criLog)
	done := make(chan struct{})
	out := &syncBuffer{}
	result := startFollow(t, context.Background(), LogFile{Path: path, Done: done}, LogOptions{Follow: true, TailLines: 0}, out)
	appendFile(t, path, "2024-01-02T03:04:06Z stdout F before\n")
	waitFor(t, "line before rotation", func() bool { return out.String() == "before\n" })
	// Rotate: move the file away and start a new one at the path.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("2024-01-02T03:04:07Z stdout F after\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "line after rotation", func() bool { return out.String() == "before\nafter\n" })
	close(done)
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}
