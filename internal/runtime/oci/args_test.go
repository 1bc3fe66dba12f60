package oci

import (
	"slices"
	"testing"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "a", "EMPTY": "", "B": "$(A)"}
	tests := map[string]string{
		"plain":          "plain",
		"$(A)":           "a",
		"x$(A)y$(A)":     "xaya",
		"$(EMPTY)!":      "!",
		"$(MISSING)":     "$(MISSING)",
		"$$(A)":          "$(A)",
		"$$$(A)":         "$a",
		"$A":             "$A",
		"$(A":            "$(A",
		"trailing$":      "trailing$",
		"$()":            "$()",
		"$(B)":           "$(A)", // values are not expanded again
		"100$$ and $(A)": "100$ and a",
	}
	for in, want := range tests {
		if got := expand(in, env); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProcessArgs(t *testing.T) {
	ep, cmd := []string{"/entry"}, []string{"default", "cmd"}
	env := map[string]string{"PORT": "8080"}
	tests := []struct {
		name                      string
		entrypoint, cmd, cmdK, ar []string
		want                      []string
		wantErr                   bool
	}{
		{"image only", ep, cmd, nil, nil, []string{"/entry", "default", "cmd"}, false},
		{"command replaces both", ep, cmd, []string{"/bin/sh", "-c"}, nil, []string{"/bin/sh", "-c"}, false},
		{"command and args", ep, cmd, []string{"/app"}, []string{"--port", "$(PORT)"}, []string{"/app", "--port", "8080"}, false},
		{"args keep entrypoint", ep, cmd, nil, []string{"x"}, []string{"/entry", "x"}, false},
		{"args without entrypoint", nil, cmd, nil, []string{"sleep", "1"}, []string{"sleep", "1"}, false},
		{"image cmd not expanded", nil, []string{"$(PORT)"}, nil, nil, []string{"$(PORT)"}, false},
		{"nothing", nil, nil, nil, nil, nil, true},
	}
	for _, tt := range tests {
		got, err := processArgs(tt.entrypoint, tt.cmd, tt.cmdK, tt.ar, env)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
