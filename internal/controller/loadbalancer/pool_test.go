package loadbalancer

import (
	"strings"
	"testing"
)

func TestParsePools(t *testing.T) {
	cases := []struct {
		in      []string
		want    string // pools rendered, ";"-joined
		wantErr string
	}{
		{in: []string{"172.28.0.200-172.28.0.250"}, want: "default=172.28.0.200-172.28.0.250"},
		{in: []string{"10.0.0.0/30"}, want: "default=10.0.0.1-10.0.0.2"},
		{in: []string{"10.0.0.7/32"}, want: "default=10.0.0.7"},
		{in: []string{"10.0.0.4/31"}, want: "default=10.0.0.4-10.0.0.5"},
		{in: []string{"10.0.0.9"}, want: "default=10.0.0.9"},
		{in: []string{"blue=10.0.0.1-10.0.0.3,10.0.1.0/30", "green=10.0.2.1-10.0.2.1", "blue=10.0.3.1-10.0.3.2"},
			want: "blue=10.0.0.1-10.0.0.3,10.0.1.1-10.0.1.2,10.0.3.1-10.0.3.2;green=10.0.2.1"},
		{in: []string{"=10.0.0.1-10.0.0.2"}, wantErr: "empty name"},
		{in: []string{"10.0.0.5-10.0.0.1"}, wantErr: "last address before first"},
		{in: []string{"10.0.0.1-fd00::1"}, wantErr: "families differ"},
		{in: []string{"10.0.0.0/33"}, wantErr: "invalid CIDR"},
		{in: []string{"banana"}, wantErr: "invalid address"},
		{in: []string{"a=10.0.0.0/24", "b=10.0.0.100-10.0.1.5"}, wantErr: "overlaps"},
		{in: []string{"a=10.0.0.10-10.0.0.20", "b=10.0.0.0/24"}, wantErr: "overlaps"},
	}
	for _, c := range cases {
		pools, err := ParsePools(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParsePools(%q) error = %v, want it to contain %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePools(%q): %v", c.in, err)
			continue
		}
		var got []string
		for _, p := range pools {
			got = append(got, p.String())
		}
		if s := strings.Join(got, ";"); s != c.want {
			t.Errorf("ParsePools(%q) = %s, want %s", c.in, s, c.want)
		}
	}
}

func TestPoolsDefault(t *testing.T) {
	ps, _ := ParsePools([]string{"a=10.0.0.1", "default=10.0.0.2"})
	if ps.Default().Name != "default" {
		t.Errorf("Default() = %s, want the pool named default", ps.Default().Name)
	}
	ps, _ = ParsePools([]string{"a=10.0.0.1", "b=10.0.0.2"})
	if ps.Default().Name != "a" {
		t.Errorf("Default() = %s, want the first pool", ps.Default().Name)
	}
	if (Pools{}).Default() != nil {
		t.Error("no pools: Default() should be nil")
	}
}
