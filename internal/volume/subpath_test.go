package volume

import "testing"

func TestExpandSubPathExpr(t *testing.T) {
	env := map[string]string{"POD_NAME": "web-0", "NS": "default"}
	for in, want := range map[string]string{
		"$(POD_NAME)":            "web-0",
		"logs/$(NS)/$(POD_NAME)": "logs/default/web-0",
		"$(MISSING)/x":           "$(MISSING)/x",
		"$$(POD_NAME)":           "$(POD_NAME)",
		"cost$":                  "cost$",
		"$(UNCLOSED":             "$(UNCLOSED",
		"a$b":                    "a$b",
	} {
		if got := ExpandSubPathExpr(in, env); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestSubPathHost(t *testing.T) {
	if p, err := SubPathHost("/v", "a/b"); err != nil || p != "/v/a/b" {
		t.Fatalf("%q %v", p, err)
	}
	for _, bad := range []string{"/etc", "../x", "a/../../x"} {
		if _, err := SubPathHost("/v", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
