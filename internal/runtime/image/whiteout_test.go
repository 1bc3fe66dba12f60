package image

import "testing"

func TestCleanEntryName(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "bin/sh", want: "bin/sh"},
		{in: "./bin/sh", want: "bin/sh"},
		{in: "/etc/passwd", want: "etc/passwd"},
		{in: "./", want: "."},
		{in: ".", want: "."},
		{in: "usr/lib/", want: "usr/lib"},
		{in: "a//b/./c", want: "a/b/c"},
		{in: "../etc/passwd", wantErr: true},
		{in: "a/../../etc", wantErr: true},
		{in: "a/..", wantErr: true},
	}
	for _, tt := range tests {
		got, err := cleanEntryName(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("cleanEntryName(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestClassifyEntry(t *testing.T) {
	tests := []struct {
		in     string
		kind   entryKind
		target string
	}{
		{"etc/passwd", entryFile, "etc/passwd"},
		{"etc/.wh.passwd", entryWhiteout, "etc/passwd"},
		{".wh.tmp", entryWhiteout, "tmp"},
		{"var/cache/.wh..wh..opq", entryOpaque, "var/cache"},
		{".wh..wh..opq", entryOpaque, "."},
		{".wh..wh.plnk/1234", entryFile, ".wh..wh.plnk/1234"},
		{"x/.wh..wh.plnk", entryIgnore, ""},
		{"etc/.whatever", entryFile, "etc/.whatever"},
	}
	for _, tt := range tests {
		k, target := classifyEntry(tt.in)
		if k != tt.kind || target != tt.target {
			t.Errorf("classifyEntry(%q) = %v %q; want %v %q", tt.in, k, target, tt.kind, tt.target)
		}
	}
}
