package oci

import (
	"slices"
	"testing"
	"testing/fstest"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func i64(v int64) *int64 { return &v }

var imageFS = fstest.MapFS{
	"etc/passwd": {Data: []byte("root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33::/var/www:/bin/false\napp:x:1000:1001::/home/app:/bin/sh\nbroken\n")},
	"etc/group":  {Data: []byte("root:x:0:\nwww:x:33:\napps:x:1001:\nextra:x:2000:app,www\nvideo:x:44:app\n")},
}

func TestResolveUser(t *testing.T) {
	tests := []struct {
		name    string
		in      userInput
		want    specs.User
		wantErr bool
	}{
		{name: "no user is root", in: userInput{}, want: specs.User{}},
		{name: "numeric uid", in: userInput{imageUser: "1234"}, want: specs.User{UID: 1234}},
		{name: "numeric uid:gid", in: userInput{imageUser: "1234:5678"}, want: specs.User{UID: 1234, GID: 5678}},
		{name: "uid with passwd entry takes its group", in: userInput{imageUser: "33", fsys: imageFS}, want: specs.User{UID: 33, GID: 33, AdditionalGids: []uint32{2000}}},
		{name: "named user", in: userInput{imageUser: "app", fsys: imageFS}, want: specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{2000, 44}}},
		{name: "named user and group", in: userInput{imageUser: "app:www", fsys: imageFS}, want: specs.User{UID: 1000, GID: 33, AdditionalGids: []uint32{2000, 44}}},
		{name: "named user without passwd", in: userInput{imageUser: "app"}, wantErr: true},
		{name: "unknown group", in: userInput{imageUser: "1:nogroup", fsys: imageFS}, wantErr: true},
		{name: "runAsUser beats the image user and group", in: userInput{imageUser: "app:www", runAsUser: i64(4242), fsys: imageFS}, want: specs.User{UID: 4242}},
		{name: "runAsUser and runAsGroup", in: userInput{imageUser: "app", runAsUser: i64(5), runAsGroup: i64(6)}, want: specs.User{UID: 5, GID: 6}},
		{name: "runAsGroup alone", in: userInput{imageUser: "7:8", runAsGroup: i64(9)}, want: specs.User{UID: 7, GID: 9}},
		{name: "supplemental groups and fsGroup, deduplicated", in: userInput{imageUser: "1000", supplemental: []int64{44, 3000}, fsGroup: i64(3000), fsys: imageFS},
			want: specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{2000, 44, 3000}}},
		{name: "runAsNonRoot with root image", in: userInput{runAsNonRoot: true}, wantErr: true},
		{name: "runAsNonRoot with named user", in: userInput{imageUser: "app", runAsNonRoot: true, fsys: imageFS}, wantErr: true},
		{name: "runAsNonRoot satisfied by runAsUser", in: userInput{runAsNonRoot: true, runAsUser: i64(1)}, want: specs.User{UID: 1}},
		{name: "runAsNonRoot with runAsUser 0", in: userInput{runAsNonRoot: true, runAsUser: i64(0)}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := resolveUser(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: got %+v, want error", tt.name, got)
			}
			continue
		}
		if err != nil || got.UID != tt.want.UID || got.GID != tt.want.GID || !slices.Equal(got.AdditionalGids, tt.want.AdditionalGids) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}
