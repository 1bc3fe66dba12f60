package runc

import (
	"strings"
	"testing"
	"time"
)

func TestCRILine(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 60, time.FixedZone("x", 3600))
	got := string(criLine(ts, streamStdout, false, []byte("hello world")))
	if want := "2024-01-02T02:04:05.000000060Z stdout F hello world\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	got = string(criLine(ts, streamStderr, true, nil))
	if want := "2024-01-02T02:04:05.000000060Z stderr P \n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestLineSplitter(t *testing.T) {
	type piece struct {
		s       string
		partial bool
	}
	tests := []struct {
		name   string
		writes []string
		flush  bool
		want   []piece
	}{
		{"lines", []string{"a\nb\n"}, false, []piece{{"a", false}, {"b", false}}},
		{"split across writes", []string{"a", "bc\nd", "e\n"}, false, []piece{{"abc", false}, {"de", false}}},
		{"unterminated kept until flush", []string{"x\ny"}, false, []piece{{"x", false}}},
		{"flush ends the last line", []string{"x\ny"}, true, []piece{{"x", false}, {"y", false}}},
		{"long line in partial pieces", []string{"abcdefghij\n"}, false, []piece{{"abcd", true}, {"efgh", true}, {"ij", false}}},
		{"exact multiple", []string{"abcd", "efgh\n"}, false, []piece{{"abcd", true}, {"efgh", true}, {"", false}}},
		{"empty lines", []string{"\n\n"}, false, []piece{{"", false}, {"", false}}},
	}
	for _, tt := range tests {
		var got []piece
		s := &lineSplitter{max: 4, emit: func(l []byte, p bool) { got = append(got, piece{string(l), p}) }}
		for _, w := range tt.writes {
			s.Write([]byte(w))
		}
		if tt.flush {
			s.Flush()
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %v want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: got %v want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestParseStatStartTime(t *testing.T) {
	stat := "1234 (sh (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100 18446744073709551615"
	got, err := parseStatStartTime(stat)
	if err != nil || got != 987654 {
		t.Fatalf("got %d, %v", got, err)
	}
	if _, err := parseStatStartTime("garbage"); err == nil {
		t.Fatal("want error")
	}
	if _, err := parseStatStartTime("1 (x) S 1 2"); err == nil {
		t.Fatal("want error for short line")
	}
}

func TestMergeEnv(t *testing.T) {
	got := strings.Join(mergeEnv([]string{"PATH=/bin", "A=1", "B"}, []string{"A=2", "C=3", "B=x"}), " ")
	if want := "PATH=/bin A=2 B=x C=3"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{"abc": true, "a-b_c.d+1": true, "": false, "..": false, "a/b": false, "a b": false} {
		if (validID(id) == nil) != ok {
			t.Errorf("validID(%q) ok=%v", id, !ok)
		}
	}
}
