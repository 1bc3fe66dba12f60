package streaming

import (
	"strings"
	"testing"
)

func TestTailStart(t *testing.T) {
	long := strings.Repeat("x", 70<<10) + "\n" // longer than a read block
	cases := []struct {
		name string
		data string
		n    int64
		want string // what remains from the returned offset
	}{
		{"all", "a\nb\nc\n", -1, "a\nb\nc\n"},
		{"zero", "a\nb\nc\n", 0, ""},
		{"one", "a\nb\nc\n", 1, "c\n"},
		{"two", "a\nb\nc\n", 2, "b\nc\n"},
		{"more than there are", "a\nb\n", 10, "a\nb\n"},
		{"unterminated last line not counted", "a\nb\nc", 1, "b\nc"},
		{"unterminated zero", "a\nb\nc", 0, "c"},
		{"empty file", "", 3, ""},
		{"empty lines", "\n\n\n", 2, "\n\n"},
		{"across blocks", "first\n" + long + "last\n", 2, long + "last\n"},
		{"across blocks all", "first\n" + long + "last\n", 3, "first\n" + long + "last\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := tailStart(strings.NewReader(c.data), int64(len(c.data)), c.n)
			if err != nil {
				t.Fatal(err)
			}
			if rest := c.data[got:]; rest != c.want {
				t.Fatalf("offset %d leaves %q, want %q", got, trunc(rest), trunc(c.want))
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}
