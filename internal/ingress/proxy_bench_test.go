package ingress

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkProxy: GETs through the proxy (a real listener) to one local
// backend, keep-alive on both hops; compare with BenchmarkDirect.
func BenchmarkProxy(b *testing.B) {
	a := backendServerB(b)
	p, _ := NewProxy(ProxyOptions{})
	p.SetTable(tableWith(nil, map[string][]string{"app": {a}}, ing("i", 0, "", pathSpec{"/", prefix, "app"})))
	front := httptest.NewServer(p)
	defer front.Close()
	runGets(b, front.URL+"/")
}

func BenchmarkDirect(b *testing.B) { runGets(b, "http://"+backendServerB(b)+"/") }

func backendServerB(b *testing.B) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "web-0") }))
	b.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

func runGets(b *testing.B, url string) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
