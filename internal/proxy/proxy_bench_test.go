package proxy

import (
	"context"
	"net/http/httptest"
	"net/http/httputil"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// BenchmarkProxyCreate is one create by the atlas client (digest, after
// its first challenge one exchange a call) made directly to atlastest,
// through a bare httputil.ReverseProxy (the hop alone), and through the
// proxy, in the same loop, call by call, each first in turn, so drift on a
// shared machine hits all alike (as atlas's benchInterleave does). It
// reports proxy/direct, proxy/hop (what checking costs over the hop
// itself) and the time the proxy adds to a call; "recording" adds
// --record to a file.
func BenchmarkProxyCreate(b *testing.B) {
	for _, tc := range []struct {
		name   string
		record bool
	}{{"checking", false}, {"recording", true}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := testatlas.NewServer(b, atlastest.WithRateLimit(1<<30, time.Nanosecond))
			up, err := ParseUpstream(srv.URL())
			if err != nil {
				b.Fatal(err)
			}
			cfg := Config{Upstream: up}
			if tc.record {
				if cfg.HAR, err = CreateHAR(filepath.Join(b.TempDir(), "bench.har"), "bench"); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = cfg.HAR.Close() })
			}
			p, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(p)
			b.Cleanup(ts.Close)
			bare := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(up) }})
			b.Cleanup(bare.Close)
			client := func(root string) *atlas.Client {
				c, err := atlas.NewClient(atlas.WithBaseURL(root), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(c.CloseIdleConnections)
				return c
			}
			// An organization each, so the contenders' creates do not
			// replace each other's link.
			contenders := []struct {
				c   *atlas.Client
				org string
			}{
				{client(srv.URL()), "4888442a3354817a7320eb61"},
				{client(bare.URL + "/"), "5888442a3354817a7320eb61"},
				{client(ts.URL + "/"), "6888442a3354817a7320eb61"},
			}
			ctx := context.Background()
			for _, k := range contenders { // the first challenge, outside the loop
				if _, err := k.c.CreateLinkToken(ctx, k.org, "192.0.2.10"); err != nil {
					b.Fatal(err)
				}
			}
			var spent [3]time.Duration
			calls := 0
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				for j := range contenders {
					i := (calls + j) % len(contenders)
					if _, err := contenders[i].c.CreateLinkToken(ctx, contenders[i].org, "192.0.2.10"); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					spent[i] += t1.Sub(t0)
					t0 = t1
				}
				calls++
			}
			if p.broke.Load() != 0 {
				b.Fatalf("%d exchanges through the proxy broke the contract", p.broke.Load())
			}
			direct, hop, proxy := spent[0], spent[1], spent[2]
			b.ReportMetric(float64(proxy)/float64(direct), "proxy/direct")
			b.ReportMetric(float64(proxy)/float64(hop), "proxy/hop")
			b.ReportMetric(float64(proxy-direct)/float64(calls), "added-ns/op")
			b.ReportMetric(float64(direct)/float64(calls), "direct-ns/op")
		})
	}
}
