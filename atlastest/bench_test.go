package atlastest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated"
)

// BenchmarkCreateRemove measures one create and one remove through the
// generated client and a caching digest transport over loopback. The
// baseline, in the same run, is the service without contract validation of
// requests, so the difference is the middleware's cost.
func BenchmarkCreateRemove(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []atlastest.Option
	}{
		{"baseline-no-validation", []atlastest.Option{atlastest.WithoutContractValidation(), atlastest.WithRateLimit(1<<30, 1)}},
		{"contract-validated", []atlastest.Option{atlastest.WithRateLimit(1<<30, 1)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := atlastest.NewServer(b, bc.opts...)
			hc := &http.Client{Transport: &digest.Transport{Username: srv.PublicKey(), Password: srv.PrivateKey()}}
			c, err := generated.NewClientWithResponses(srv.URLV2(), generated.WithHTTPClient(hc), generated.WithRequestEditorFn(acceptFor(atlastest.BasePathV2)))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			body := generated.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}}
			b.ReportAllocs()
			for b.Loop() {
				r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, orgA, nil, body)
				if err != nil || r.StatusCode() != 201 {
					b.Fatalf("create: %v", err)
				}
				d, err := c.DeleteLinkTokenWithResponse(ctx, orgA, nil)
				if err != nil || d.StatusCode() != 204 {
					b.Fatalf("remove: %v", err)
				}
			}
		})
	}
}

// BenchmarkServiceThroughput drives the service over loopback with a load
// generator in the test binary: 32 workers, each with its own generated
// client (and, when authentication is on, its own caching digest transport,
// as a real client has; wrk cannot answer a digest challenge), sharing one
// connection pool, creating link-tokens for their own organizations until
// b.N requests are answered 201. In one run:
//   - bare: the same handler with digest and contract validation off
//     (WithoutAuthentication, WithoutContractValidation), the baseline;
//   - digest-validated: both on, as tests use the service.
//
// req/s is the throughput; exchanges/op counts every exchange the service
// saw, challenges included; ratio-to-bare (on the second) is its ns/op over
// bare's ns/op from the same run, the cost factor of authentication and
// validation. cpu-ns/op is the CPU time of load generator and service
// together per request, which waiting for a busy machine does not inflate.
func BenchmarkServiceThroughput(b *testing.B) {
	var bareNsPerOp float64
	for _, bc := range []struct {
		name string
		auth bool
		opts []atlastest.Option
	}{
		{"bare", false, []atlastest.Option{atlastest.WithoutAuthentication(), atlastest.WithoutContractValidation()}},
		{"digest-validated", true, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			nsPerOp := benchLoad(b, bc.auth, bc.opts...)
			if bc.auth && bareNsPerOp > 0 {
				b.ReportMetric(nsPerOp/bareNsPerOp, "ratio-to-bare")
			} else if !bc.auth {
				bareNsPerOp = nsPerOp
			}
		})
	}
}

// benchLoad serves b.N creates to 32 concurrent workers and returns the
// wall-clock nanoseconds per request.
func benchLoad(b *testing.B, auth bool, opts ...atlastest.Option) float64 {
	const workers = 32
	srv := atlastest.NewServer(b, append([]atlastest.Option{atlastest.WithRateLimit(1<<30, time.Nanosecond)}, opts...)...)
	pool := http.DefaultTransport.(*http.Transport).Clone()
	pool.MaxIdleConnsPerHost = workers
	defer pool.CloseIdleConnections()
	clients := make([]*generated.ClientWithResponses, workers)
	for i := range clients {
		var rt http.RoundTripper = pool
		if auth {
			rt = &digest.Transport{Username: srv.PublicKey(), Password: srv.PrivateKey(), Transport: pool}
		}
		c, err := generated.NewClientWithResponses(srv.URLV2(), generated.WithHTTPClient(&http.Client{Transport: rt}),
			generated.WithRequestEditorFn(acceptFor(atlastest.BasePathV2)))
		if err != nil {
			b.Fatal(err)
		}
		clients[i] = c
	}
	ctx := context.Background()
	body := generated.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}}
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchCPU()
	start := time.Now()
	for i, c := range clients {
		org := fmt.Sprintf("%024x", i+1)
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, org, nil, body)
				if err != nil || r.StatusCode() != http.StatusCreated {
					if failures.Add(1) == 1 {
						b.Errorf("create: %v %v", err, r)
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if cpu1 := benchCPU(); cpu0 > 0 && cpu1 > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	st := srv.Stats()
	if st.Successes != b.N {
		b.Fatalf("service counted %d successes for %d requests", st.Successes, b.N)
	}
	if auth && st.Challenges == 0 {
		b.Fatal("no digest challenge: authentication was off")
	}
	if !auth && st.Challenges != 0 {
		b.Fatalf("%d challenges with authentication off", st.Challenges)
	}
	b.ReportMetric(st.ExchangesPerSuccess(), "exchanges/op")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	return float64(elapsed.Nanoseconds()) / float64(b.N)
}

// BenchmarkServiceHandler is the service's own cost per create, without a
// network or a client in the measurement: ServeHTTP on an in-memory request
// and recorder, in one run,
//   - bare: digest and contract validation off;
//   - digest-validated: both on; the Authorization headers (one nonce,
//     counts rising as a real client sends them) are computed in batches
//     outside the timer.
//
// ratio-to-bare (on the second) is its ns/op over bare's: what
// authentication and validation multiply the handler's work by, where
// BenchmarkServiceThroughput shows what they do to a whole loopback
// exchange.
func BenchmarkServiceHandler(b *testing.B) {
	var bareNsPerOp float64
	for _, bc := range []struct {
		name string
		auth bool
		opts []atlastest.Option
	}{
		{"bare", false, []atlastest.Option{atlastest.WithoutAuthentication(), atlastest.WithoutContractValidation()}},
		{"digest-validated", true, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			svc, err := atlastest.New(append([]atlastest.Option{atlastest.WithRateLimit(1<<30, time.Nanosecond), atlastest.WithNonceTTL(time.Hour)}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			const uri = atlastest.BasePathV2 + "/orgs/" + orgB + "/liveMigrations/linkTokens"
			body := []byte(`{"accessListIps":["192.0.2.10"]}`)
			newReq := func() *http.Request {
				r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+uri, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				r.RemoteAddr = "127.0.0.1:50000"
				r.Header.Set("Content-Type", atlastest.MediaTypeV2)
				r.Header.Set("Accept", atlastest.MediaTypeV2)
				return r
			}
			var chal *digest.Challenge
			if bc.auth {
				rec := httptest.NewRecorder()
				svc.ServeHTTP(rec, newReq())
				if chal, err = digest.FindChallenge(rec.Header()); rec.Code != http.StatusUnauthorized || err != nil {
					b.Fatalf("no challenge: %d %v", rec.Code, err)
				}
			}
			const batch = 1024
			auth := make([]string, 0, batch)
			count := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if bc.auth && i%batch == 0 {
					b.StopTimer()
					auth = auth[:0]
					for range min(batch, b.N-i) {
						count++
						cred, err := digest.Digest(chal, digest.Options{Method: http.MethodPost, URI: uri, Count: count,
							Username: svc.PublicKey(), Password: svc.PrivateKey()})
						if err != nil {
							b.Fatal(err)
						}
						auth = append(auth, cred.String())
					}
					b.StartTimer()
				}
				r := newReq()
				if bc.auth {
					r.Header.Set("Authorization", auth[i%batch])
				}
				rec := httptest.NewRecorder()
				svc.ServeHTTP(rec, r)
				if rec.Code != http.StatusCreated {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.StopTimer()
			nsPerOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if st := svc.Stats(); st.Successes != b.N {
				b.Fatalf("service counted %d successes for %d requests", st.Successes, b.N)
			}
			if bc.auth && bareNsPerOp > 0 {
				b.ReportMetric(nsPerOp/bareNsPerOp, "ratio-to-bare")
			} else if !bc.auth {
				bareNsPerOp = nsPerOp
			}
		})
	}
}
