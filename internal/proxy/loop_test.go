package proxy

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLoops: the upstream is the proxy's own address by IP, by a name
// that resolves to it, or through an address that listens everywhere.
func TestLoops(t *testing.T) {
	at := func(ip string, port int) *net.TCPAddr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }
	for _, tc := range []struct {
		name     string
		listen   *net.TCPAddr
		upstream string
		want     bool
	}{
		{"same address", at("127.0.0.1", 8081), "http://127.0.0.1:8081/", true},
		{"localhost", at("127.0.0.1", 8081), "http://localhost:8081/", true},
		{"every address", at("0.0.0.0", 8081), "http://127.0.0.1:8081/", true},
		{"every address, v6", at("::", 8081), "http://[::1]:8081/", true},
		{"the default port", at("127.0.0.1", 80), "http://127.0.0.1/", true},
		{"another port", at("127.0.0.1", 8081), "http://127.0.0.1:8082/", false},
		{"another loopback address", at("127.0.0.1", 8081), "http://127.0.0.2:8081/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(tc.upstream)
			got, err := Loops(context.Background(), tc.listen, u)
			if err != nil || got != tc.want {
				t.Errorf("Loops(%s, %s) = %v, %v; want %v", tc.listen, tc.upstream, got, err, tc.want)
			}
		})
	}
}

// TestForwardedRequestsThatComeBackAreRefused: two proxies, each the
// other's upstream (no address says so): one request comes back once and
// is refused with 508, rather than going round until the descriptors run
// out.
func TestForwardedRequestsThatComeBackAreRefused(t *testing.T) {
	var lns [2]net.Listener
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i] = ln
	}
	var ps [2]*Proxy
	for i := range ps {
		up, _ := ParseUpstream("http://" + lns[1-i].Addr().String() + "/")
		p, err := New(Config{Upstream: up, Limits: Limits{UpstreamTimeout: 5 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Serve(ctx, lns[i], time.Second) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	for _, path := range []string{"/elsewhere", testCreate} {
		resp, err := http.Post("http://"+lns[0].Addr().String()+path, testMedia, strings.NewReader(testCreateJS))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusLoopDetected {
			t.Errorf("%s: %d, want 508", path, resp.StatusCode)
		}
	}
	if n := ps[0].Stats().Looped; n != 2 {
		t.Errorf("the first proxy refused %d requests that came back, want 2", n)
	}
}
