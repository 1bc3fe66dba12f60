package ingress

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

// The examples table of the Ingress documentation
// (kubernetes.io/docs/concepts/services-networking/ingress/#examples).
func TestPathMatchingSpecExamples(t *testing.T) {
	cases := []struct {
		paths []pathSpec
		req   string
		want  string // matching path's service, "" for none
	}{
		{[]pathSpec{{"/", prefix, "root"}}, "/", "root"},
		{[]pathSpec{{"/", prefix, "root"}}, "/anything/at/all", "root"},
		{[]pathSpec{{"/foo", exact, "foo"}}, "/foo", "foo"},
		{[]pathSpec{{"/foo", exact, "foo"}}, "/bar", ""},
		{[]pathSpec{{"/foo", exact, "foo"}}, "/foo/", ""},
		{[]pathSpec{{"/foo/", exact, "foo"}}, "/foo", ""},
		{[]pathSpec{{"/foo", prefix, "foo"}}, "/foo", "foo"},
		{[]pathSpec{{"/foo", prefix, "foo"}}, "/foo/", "foo"},
		{[]pathSpec{{"/foo/", prefix, "foo"}}, "/foo", "foo"},
		{[]pathSpec{{"/foo/", prefix, "foo"}}, "/foo/", "foo"},
		{[]pathSpec{{"/aaa/bb", prefix, "a"}}, "/aaa/bbb", ""},
		{[]pathSpec{{"/aaa/bbb", prefix, "a"}}, "/aaa/bbb", "a"},
		{[]pathSpec{{"/aaa/bbb/", prefix, "a"}}, "/aaa/bbb", "a"},
		{[]pathSpec{{"/aaa/bbb", prefix, "a"}}, "/aaa/bbb/", "a"},
		{[]pathSpec{{"/aaa/bbb", prefix, "a"}}, "/aaa/bbb/ccc", "a"},
		{[]pathSpec{{"/aaa/bbb", prefix, "a"}}, "/aaa/bbbxyz", ""},
		{[]pathSpec{{"/", prefix, "root"}, {"/aaa", prefix, "aaa"}}, "/aaa/ccc", "aaa"},
		{[]pathSpec{{"/", prefix, "root"}, {"/aaa", prefix, "aaa"}, {"/aaa/bbb", prefix, "bbb"}}, "/aaa/bbb", "bbb"},
		{[]pathSpec{{"/", prefix, "root"}, {"/aaa", prefix, "aaa"}, {"/aaa/bbb", prefix, "bbb"}}, "/ccc", "root"},
		{[]pathSpec{{"/aaa", prefix, "aaa"}}, "/ccc", ""},
		{[]pathSpec{{"/aaa", prefix, "prefix"}, {"/aaa", exact, "exact"}}, "/aaa", "exact"},
		{[]pathSpec{{"/aaa", prefix, "prefix"}, {"/aaa", exact, "exact"}}, "/aaa/", "prefix"},
		// ImplementationSpecific is treated as Prefix.
		{[]pathSpec{{"/aaa", implSp, "impl"}}, "/aaa/x", "impl"},
		{[]pathSpec{{"/aaa", implSp, "impl"}}, "/aaax", ""},
		// The longest path wins whatever the order of the rules.
		{[]pathSpec{{"/aaa/bbb", prefix, "long"}, {"/aaa", prefix, "short"}}, "/aaa/bbb/c", "long"},
	}
	for _, c := range cases {
		tab, _ := Build(Inputs{Ingresses: []*networkingv1.Ingress{ing("i", 0, "foo.com", c.paths...)}, Classes: []*networkingv1.IngressClass{berthClass(true)}})
		r, ok := tab.Lookup("foo.com", c.req)
		got := ""
		if ok {
			got = r.Backend.Service
		}
		if got != c.want {
			t.Errorf("paths %v, request %q: got %q, want %q", c.paths, c.req, got, c.want)
		}
	}
}

func TestHostMatching(t *testing.T) {
	cl := []*networkingv1.IngressClass{berthClass(true)}
	tab, _ := Build(Inputs{Classes: cl, Ingresses: []*networkingv1.Ingress{
		ing("exact", 0, "bar.foo.com", pathSpec{"/", prefix, "exact"}),
		ing("wild", 1, "*.foo.com", pathSpec{"/", prefix, "wild"}),
		ing("any", 2, "", pathSpec{"/any", prefix, "any"}),
	}})
	cases := []struct{ host, path, want string }{
		{"bar.foo.com", "/", "exact"},
		{"BAR.foo.com:8080", "/x", "exact"}, // case and port ignored
		{"baz.foo.com", "/", "wild"},
		{"baz.bar.foo.com", "/any", "any"}, // a wildcard covers one label
		{"foo.com", "/any", "any"},
		{"foo.com", "/", ""},
		{"other.org", "/any/thing", "any"},
		{"10.0.0.1", "/nope", ""},
	}
	for _, c := range cases {
		r, ok := tab.Lookup(c.host, c.path)
		got := ""
		if ok {
			got = r.Backend.Service
		}
		if got != c.want {
			t.Errorf("%s%s: got %q, want %q", c.host, c.path, got, c.want)
		}
	}
}
