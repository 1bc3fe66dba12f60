package image

import "testing"

func TestNormalize(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "testhost", want: "docker.io/library/testhost:latest"},
		{in: "busybox:1.36", want: "docker.io/library/busybox:1.36"},
		{in: "library/busybox", want: "docker.io/library/busybox:latest"},
		{in: "docker.io/busybox", want: "docker.io/library/busybox:latest"},
		{in: "index.docker.io/library/busybox:1", want: "docker.io/library/busybox:1"},
		{in: "someuser/app:v2", want: "docker.io/someuser/app:v2"},
		{in: "registry.k8s.io/pause:3.10", want: "registry.k8s.io/pause:3.10"},
		{in: "localhost:5000/app", want: "localhost:5000/app:latest"},
		{in: "localhost/app:1", want: "localhost/app:1"},
		{in: "127.0.0.1:5000/a/b/c:t", want: "127.0.0.1:5000/a/b/c:t"},
		{in: "busybox@" + d, want: "docker.io/library/busybox@" + d},
		{in: "busybox:1@" + d, want: "docker.io/library/busybox:1@" + d},
		{in: "my_app__x-y.z", want: "docker.io/library/my_app__x-y.z:latest"},
		{in: "", wantErr: true},
		{in: "BusyBox", wantErr: true},
		{in: "busybox:", wantErr: true},
		{in: "busybox@sha256:xyz", wantErr: true},
		{in: "a//b", wantErr: true},
		{in: "registry.io/", wantErr: true},
		{in: "busybox:bad/tag", wantErr: true},
		{in: "-bad", wantErr: true},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("Normalize(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestReferenceParts(t *testing.T) {
	r, err := ParseReference("localhost:5000/team/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Domain != "localhost:5000" || r.Path != "team/app" || r.Tag != "v1" || r.Repository() != "localhost:5000/team/app" {
		t.Fatalf("got %+v", r)
	}
}

func TestIsImageID(t *testing.T) {
	hex := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for s, want := range map[string]bool{
		hex: true, "sha256:" + hex: true, "busybox": false, "sha256:abc": false, hex[:12]: false,
	} {
		if got := isImageID(s); got != want {
			t.Errorf("isImageID(%q) = %v", s, got)
		}
	}
	if canonicalID(hex) != "sha256:"+hex || canonicalID("sha256:"+hex) != "sha256:"+hex {
		t.Fatal("canonicalID")
	}
}
