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
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
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
			srv := testatlas.NewServer(b, bc.opts...)
			hc := &http.Client{Transport: &digest.Transport{Username: srv.PublicKey(), Password: srv.PrivateKey()}}
			c, err := client.NewClientWithResponses(srv.URL()+atlastest.BasePathV2, client.WithHTTPClient(hc), client.WithRequestEditorFn(acceptFor(atlastest.BasePathV2)))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			body := client.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}}
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

// benchWorkers is how many concurrent clients the load generator runs.
const benchWorkers = 32

// benchOff is the service with digest and contract validation off; on is
// the default (both on). Both lift the rate limit.
var (
	benchOff = []atlastest.Option{atlastest.WithoutAuthentication(), atlastest.WithoutContractValidation()}
	benchOn  = []atlastest.Option(nil)
)

// benchLoadGen is a load generator in the test binary: benchWorkers
// generated clients, each with its own caching digest transport when
// authentication is on (as a real client has; wrk cannot answer a digest
// challenge), sharing one connection pool, each creating link-tokens for
// its own organization.
type benchLoadGen struct {
	srv      *atlastest.Server
	auth     bool
	clients  []*client.ClientWithResponses
	requests int
	failures atomic.Int64
}

func newBenchLoadGen(b *testing.B, auth bool, opts []atlastest.Option) *benchLoadGen {
	srv := testatlas.NewServer(b, append([]atlastest.Option{atlastest.WithRateLimit(1<<30, time.Nanosecond)}, opts...)...)
	pool := http.DefaultTransport.(*http.Transport).Clone()
	pool.MaxIdleConnsPerHost = benchWorkers
	b.Cleanup(pool.CloseIdleConnections)
	g := &benchLoadGen{srv: srv, auth: auth}
	for range benchWorkers {
		var rt http.RoundTripper = pool
		if auth {
			rt = &digest.Transport{Username: srv.PublicKey(), Password: srv.PrivateKey(), Transport: pool}
		}
		c, err := client.NewClientWithResponses(srv.URL()+atlastest.BasePathV2, client.WithHTTPClient(&http.Client{Transport: rt}),
			client.WithRequestEditorFn(acceptFor(atlastest.BasePathV2)))
		if err != nil {
			b.Fatal(err)
		}
		g.clients = append(g.clients, c)
	}
	return g
}

// run sends n creates from all workers at once and waits for the answers.
func (g *benchLoadGen) run(b *testing.B, n int) {
	ctx := context.Background()
	body := client.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}}
	var next atomic.Int64
	var wg sync.WaitGroup
	for i, c := range g.clients {
		org := fmt.Sprintf("%024x", i+1)
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, org, nil, body)
				if err != nil || r.StatusCode() != http.StatusCreated {
					if g.failures.Add(1) == 1 {
						b.Errorf("create: %v %v", err, r)
					}
				}
			}
		})
	}
	wg.Wait()
	g.requests += n
}

// check fails b unless every request succeeded with authentication as
// configured, and reports exchanges/op.
func (g *benchLoadGen) check(b *testing.B) {
	if n := g.failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, g.requests)
	}
	st := g.srv.Stats()
	if st.Successes != g.requests {
		b.Fatalf("service counted %d successes for %d requests", st.Successes, g.requests)
	}
	if g.auth && g.requests > 0 && st.Challenges == 0 {
		b.Fatal("no digest challenge: authentication was off")
	}
	if !g.auth && st.Challenges != 0 {
		b.Fatalf("%d challenges with authentication off", st.Challenges)
	}
	b.ReportMetric(st.ExchangesPerSuccess(), "exchanges/op")
}

// BenchmarkServiceThroughput drives the service over loopback with
// benchLoadGen (32 concurrent clients), in one run:
//   - bare: digest and contract validation off (WithoutAuthentication,
//     WithoutContractValidation), the baseline;
//   - digest-validated: both on, as tests use the service;
//   - digest-validated-vs-bare: both services at once, load alternating
//     between them in phases of 256 requests; ratio is digest-validated's
//     time over bare's, which drift on a shared machine hits alike (its
//     exchanges/op is digest-validated's).
//
// req/s is the throughput; exchanges/op counts every exchange the service
// saw, challenges included; cpu-ns/op is the CPU time of load generator and
// service together per request, which waiting for a busy machine does not
// inflate.
func BenchmarkServiceThroughput(b *testing.B) {
	for _, bc := range []struct {
		name string
		auth bool
		opts []atlastest.Option
	}{
		{"bare", false, benchOff},
		{"digest-validated", true, benchOn},
	} {
		b.Run(bc.name, func(b *testing.B) {
			g := newBenchLoadGen(b, bc.auth, bc.opts)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchCPU()
			start := time.Now()
			g.run(b, b.N)
			elapsed := time.Since(start)
			b.StopTimer()
			if cpu1 := benchCPU(); cpu0 > 0 && cpu1 > 0 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
			g.check(b)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
		})
	}
	b.Run("digest-validated-vs-bare", func(b *testing.B) {
		const phase = 256
		bare, on := newBenchLoadGen(b, false, benchOff), newBenchLoadGen(b, true, benchOn)
		var bareT, onT time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += phase {
			n := min(phase, b.N-i)
			first, second, firstT, secondT := bare, on, &bareT, &onT
			if i/phase%2 == 1 {
				first, second, firstT, secondT = on, bare, &onT, &bareT
			}
			t0 := time.Now()
			first.run(b, n)
			t1 := time.Now()
			second.run(b, n)
			*firstT += t1.Sub(t0)
			*secondT += time.Since(t1)
		}
		b.StopTimer()
		bare.check(b)
		on.check(b)
		b.ReportMetric(float64(onT)/float64(bareT), "ratio")
	})
}

// benchHandlerCall serves one create straight to the service's ServeHTTP,
// with a fresh digest Authorization (one nonce, counts rising) when
// authentication is on; the headers are computed in batches, outside the
// timer when timed is set.
func benchHandlerCall(b *testing.B, auth bool, opts []atlastest.Option) (call func(timed bool), svc *atlastest.Service) {
	svc, err := atlastest.New(append([]atlastest.Option{atlastest.WithRateLimit(1<<30, time.Nanosecond), atlastest.WithNonceTTL(time.Hour)}, opts...)...)
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
	if auth {
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, newReq())
		if chal, err = digest.FindChallenge(rec.Header()); rec.Code != http.StatusUnauthorized || err != nil {
			b.Fatalf("no challenge: %d %v", rec.Code, err)
		}
		svc.ResetStats()
	}
	var headers []string
	count := 0
	return func(timed bool) {
		r := newReq()
		if auth {
			if len(headers) == 0 {
				if timed {
					b.StopTimer()
				}
				for range 1024 {
					count++
					cred, err := digest.Digest(chal, digest.Options{Method: http.MethodPost, URI: uri, Count: count,
						Username: svc.PublicKey(), Password: svc.PrivateKey()})
					if err != nil {
						b.Fatal(err)
					}
					headers = append(headers, cred.String())
				}
				if timed {
					b.StartTimer()
				}
			}
			r.Header.Set("Authorization", headers[0])
			headers = headers[1:]
		}
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, r)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}, svc
}

// BenchmarkServiceHandler is the service's own cost per create, without a
// network or a client in the measurement: ServeHTTP on an in-memory request
// and recorder, in one run,
//   - bare: digest and contract validation off;
//   - digest-validated: both on (the Authorization headers are computed
//     outside the timer);
//   - digest-validated-vs-bare: one request to each per op, alternating which
//     goes first; ratio is digest-validated's time over bare's, what
//     authentication and validation multiply the handler's work by (where
//     BenchmarkServiceThroughput shows what they do to a whole loopback
//     exchange).
func BenchmarkServiceHandler(b *testing.B) {
	for _, bc := range []struct {
		name string
		auth bool
		opts []atlastest.Option
	}{
		{"bare", false, benchOff},
		{"digest-validated", true, benchOn},
	} {
		b.Run(bc.name, func(b *testing.B) {
			call, svc := benchHandlerCall(b, bc.auth, bc.opts)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				call(true)
			}
			b.StopTimer()
			if st := svc.Stats(); st.Successes != b.N {
				b.Fatalf("service counted %d successes for %d requests", st.Successes, b.N)
			}
		})
	}
	b.Run("digest-validated-vs-bare", func(b *testing.B) {
		bare, _ := benchHandlerCall(b, false, benchOff)
		on, _ := benchHandlerCall(b, true, benchOn)
		var bareT, onT time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%2 == 0 {
				t0 := time.Now()
				bare(false)
				t1 := time.Now()
				on(false)
				bareT, onT = bareT+t1.Sub(t0), onT+time.Since(t1)
			} else {
				t0 := time.Now()
				on(false)
				t1 := time.Now()
				bare(false)
				onT, bareT = onT+t1.Sub(t0), bareT+time.Since(t1)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(onT)/float64(bareT), "ratio")
	})
}
