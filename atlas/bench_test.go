package atlas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// benchIPs is the access list every create in these benchmarks sends.
var benchIPs = []string{"192.0.2.10"}

// benchFixed is a loopback server that answers every request with one 201
// recorded from atlastest (same status, headers and body bytes), and counts
// the exchanges and connections it served. It is the floor: no
// authentication, no validation, no state.
type benchFixed struct {
	url       string
	exchanges atomic.Int64
	conns     atomic.Int64
}

// benchRecord201 makes one real create against atlastest and returns its
// answer, so that the fixed handler sends exactly what the service sends.
func benchRecord201(b *testing.B) benchRecorded {
	b.Helper()
	srv := testatlas.NewServer(b, atlastest.WithRateLimit(1<<30, time.Nanosecond))
	body, _ := json.Marshal(client.TargetOrgRequest{AccessListIps: benchIPs})
	req, err := http.NewRequest(http.MethodPost, srv.URL()+atlastest.BasePathV2+"/orgs/"+testOrg+"/liveMigrations/linkTokens", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", atlastest.MediaTypeV2)
	req.Header.Set("Accept", atlastest.MediaTypeV2)
	resp, err := srv.DigestClient().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("recording the 201: status %d, %v", resp.StatusCode, err)
	}
	h := resp.Header.Clone()
	h.Del("Date") // net/http sets its own
	return benchRecorded{header: h, body: got}
}

// benchRecorded is atlastest's answer to a create, for benchFixed to repeat.
type benchRecorded struct {
	header http.Header
	body   []byte
}

func newBenchFixed(b *testing.B, rec benchRecorded) *benchFixed {
	b.Helper()
	f := &benchFixed{}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.exchanges.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		maps.Copy(w.Header(), rec.header)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(rec.body)
	}))
	ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			f.conns.Add(1)
		}
	}
	ts.Start()
	b.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// benchReportCPU reports cpu-ns/op: the process's CPU time since cpu0 over
// n calls (see benchCPU), when the platform can tell.
func benchReportCPU(b *testing.B, cpu0 int64, n int) {
	if cpu1 := benchCPU(); cpu0 > 0 && cpu1 > 0 && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
}

// benchTransport is a fresh transport per sub-benchmark, so no connection
// pool is shared between them; idle connections are kept for every worker.
func benchTransport(b *testing.B, idle int) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = idle
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// benchCall is one create by one of the four contenders: call makes it and
// fails b on any error; done checks what the server counted for the calls
// made and reports exchanges/op.
type benchCall struct {
	call func(b *testing.B)
	done func(b *testing.B, calls int)
}

// benchRaw is the floor: a hand-written net/http POST (json.Marshal, POST,
// read, json.Unmarshal) to its own fixed handler.
func benchRaw(b *testing.B, rec benchRecorded) benchCall {
	fixed := newBenchFixed(b, rec)
	hc := &http.Client{Transport: benchTransport(b, 2)}
	url := fixed.url + atlastest.BasePathV2 + "/orgs/" + testOrg + "/liveMigrations/linkTokens"
	ctx := context.Background()
	return benchCall{
		call: func(b *testing.B) {
			body, err := json.Marshal(client.TargetOrgRequest{AccessListIps: benchIPs})
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", atlastest.MediaTypeV2)
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusCreated {
				b.Fatalf("status %d, %v", resp.StatusCode, err)
			}
			var out client.TargetOrg
			if err := json.Unmarshal(got, &out); err != nil || out.LinkToken == "" {
				b.Fatalf("body: %v", err)
			}
		},
		done: fixed.counter(),
	}
}

// benchGenerated is the generated ClientWithResponses, no authentication,
// against its own fixed handler.
func benchGenerated(b *testing.B, rec benchRecorded) benchCall {
	fixed := newBenchFixed(b, rec)
	c, err := client.NewClientWithResponses(fixed.url+atlastest.BasePathV2,
		client.WithHTTPClient(&http.Client{Transport: benchTransport(b, 2)}),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			return nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	return benchCall{
		call: func(b *testing.B) {
			r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, testOrg, nil,
				client.TargetOrgRequest{AccessListIps: benchIPs})
			if err != nil || r.StatusCode() != http.StatusCreated || r.JSON201 == nil {
				b.Fatalf("create: %v", err)
			}
		},
		done: fixed.counter(),
	}
}

// counter starts counting the fixed server's exchanges and connections for
// one contender, which must make exactly one exchange per call (the handler
// asks for no authentication) over one kept-alive connection.
func (f *benchFixed) counter() func(b *testing.B, calls int) {
	start, conns := f.exchanges.Load(), f.conns.Load()
	return func(b *testing.B, calls int) {
		// Keep-alive holds one connection, but the transport may dial a
		// spare when a call starts before the previous one's connection is
		// back in the idle pool (it is put back on the transport's own
		// goroutine): seen once in 10,000 calls on a busy machine. Without
		// keep-alive every call dials.
		if n := f.conns.Load() - conns; n > 1 && n*100 > int64(calls) {
			b.Fatalf("%d connections for %d sequential calls: keep-alive is not working", n, calls)
		}
		exchanges := f.exchanges.Load() - start
		if exchanges != int64(calls) {
			b.Fatalf("%d exchanges for %d calls, want one each", exchanges, calls)
		}
		b.ReportMetric(float64(exchanges)/float64(calls), "exchanges/op")
	}
}

// benchClient is the root Client with digest against its own atlastest,
// with contract.NewTransport on the wire when validated. Its done holds the
// client to one HTTP exchange per call after the first call's challenge.
func benchClient(b *testing.B, validated bool) benchCall {
	// Nonces outlive any -benchtime, so that every challenge but the first
	// would be the client's fault.
	srv := testatlas.NewServer(b, atlastest.WithRateLimit(1<<30, time.Nanosecond), atlastest.WithNonceTTL(24*time.Hour))
	opts := []atlas.Option{
		atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithHTTPClient(&http.Client{Transport: benchTransport(b, 2)}),
	}
	var violations atomic.Int64
	if validated {
		v := contract.MustNew(contract.Strict())
		opts = append(opts, atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
			return contract.NewTransport(v, next, func(contract.Violations) { violations.Add(1) })
		}))
	}
	c, err := atlas.NewClient(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	return benchCall{
		call: func(b *testing.B) {
			if _, err := c.CreateLinkToken(ctx, testOrg, benchIPs...); err != nil {
				b.Fatal(err)
			}
		},
		done: func(b *testing.B, calls int) {
			st := srv.Stats()
			if st.Successes != calls {
				b.Fatalf("server counted %d successes for %d calls", st.Successes, calls)
			}
			if n := violations.Load(); n > 0 {
				b.Fatalf("%d exchanges broke the contract", n)
			}
			if st.Challenges != 1 || st.Exchanges != calls+1 {
				b.Fatalf("%d calls cost %d exchanges and %d challenges; want %d and 1 (the first call's challenge, then one exchange each)",
					calls, st.Exchanges, st.Challenges, calls+1)
			}
			b.ReportMetric(st.ExchangesPerSuccess(), "exchanges/op")
		},
	}
}

// benchOne runs one contender in the benchmark loop.
func benchOne(b *testing.B, c benchCall) {
	calls := 0
	b.ReportAllocs()
	cpu0 := benchCPU()
	for b.Loop() {
		c.call(b)
		calls++
	}
	benchReportCPU(b, cpu0, calls)
	c.done(b, calls)
}

// benchInterleave makes one call of each contender per op, rotating which
// goes first, and returns the time each spent and the ops made. Since all
// run in the same instants, drift on a shared machine hits them alike, which
// separate sub-benchmarks (run one after the other, all of -count for one
// before the next) cannot promise.
func benchInterleave(b *testing.B, contenders ...benchCall) (spent []time.Duration, calls int) {
	spent = make([]time.Duration, len(contenders))
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		for k := range contenders {
			i := (calls + k) % len(contenders)
			contenders[i].call(b)
			t1 := time.Now()
			spent[i] += t1.Sub(t0)
			t0 = t1
		}
		calls++
	}
	return spent, calls
}

// benchPair interleaves two contenders and reports, under the unit named
// ratioUnit (other/base), other's time over base's; added-ns/op is their
// difference per call.
func benchPair(b *testing.B, base, other benchCall, ratioUnit string) {
	spent, calls := benchInterleave(b, base, other)
	base.done(b, calls)
	other.done(b, calls)
	b.ReportMetric(float64(spent[1])/float64(spent[0]), ratioUnit)
	b.ReportMetric(float64(spent[1]-spent[0])/float64(calls), "added-ns/op")
}

// benchRecorder sits on the wire and keeps the first link-token exchange it
// carries, whole, for benchCapturedExchange.
type benchRecorder struct {
	next http.RoundTripper
	got  *contract.Exchange
}

func (r *benchRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.got != nil || req.GetBody == nil {
		return r.next.RoundTrip(req)
	}
	// The request's own body goes down untouched; its replay is what is kept.
	replay, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	reqBody, err := io.ReadAll(replay)
	if err != nil {
		return nil, err
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	r.got = &contract.Exchange{Request: &contract.Request{Method: req.Method, URL: req.URL, Header: req.Header, Body: reqBody},
		Response: &contract.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: respBody}}
	return resp, nil
}

// benchCapturedExchange is one create exactly as the root Client sends it
// and atlastest answers it (digest credentials and all), recorded on the
// wire of a client and server of its own, for the validator to check alone.
func benchCapturedExchange(b *testing.B) *contract.Exchange {
	b.Helper()
	srv := testatlas.NewServer(b, atlastest.WithRateLimit(1<<30, time.Nanosecond))
	rec := &benchRecorder{}
	c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec }))
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	// The first exchange is the digest challenge; keep the second.
	if _, err := c.CreateLinkToken(context.Background(), testOrg, benchIPs...); err != nil {
		b.Fatal(err)
	}
	rec.got = nil
	if _, err := c.CreateLinkToken(context.Background(), testOrg, benchIPs...); err != nil {
		b.Fatal(err)
	}
	if rec.got == nil || rec.got.Response.StatusCode != http.StatusCreated {
		b.Fatalf("recorded %+v, want the 201 of a create", rec.got)
	}
	return rec.got
}

// benchValidatedAdded interleaves one call by the atlas client, one by the
// same client with the validating transport, and one Check of the
// exchange those calls make (the validator's own cost, in the same instants). added-ns/op is what validation added to
// a call; added/validator is that over the validator's own time (the target
// is at most 1).
func benchValidatedAdded(b *testing.B, plain, validated benchCall, ex *contract.Exchange) {
	v := contract.MustNew(contract.Strict())
	validate := benchCall{call: func(b *testing.B) {
		if res, err := v.Check(ex); err != nil || !res.OK() {
			b.Fatal(err, res)
		}
	}}
	spent, calls := benchInterleave(b, plain, validated, validate)
	plain.done(b, calls)
	validated.done(b, calls)
	added := spent[1] - spent[0]
	b.ReportMetric(float64(added)/float64(calls), "added-ns/op")
	b.ReportMetric(float64(spent[2])/float64(calls), "validator-ns/op")
	b.ReportMetric(float64(added)/float64(spent[2]), "added/validator")
}

// BenchmarkCreateLinkToken is one create over loopback, four ways in one
// run:
//   - raw: a hand-written net/http POST (json.Marshal, POST, read,
//     json.Unmarshal) to a handler that answers atlastest's recorded 201: the
//     floor on this machine;
//   - generated: the generated ClientWithResponses (oapi-codegen's stock
//     templates), no authentication, against the same handler;
//   - client: the root Client with digest against atlastest (authentication,
//     contract validation of requests, state);
//   - client-validated: the same with contract.NewTransport on the wire;
//
// and the two comparisons the targets name, each contender pair interleaved
// call by call so that the ratio does not depend on when each ran:
//   - generated-vs-raw: generated/raw is the generated client's time over the
//     hand-written call's (target ≤ 1.20);
//   - validated-vs-client: client and client-validated interleaved with
//     Check on the very exchange they make: added-ns/op is what
//     the validating transport adds to a call, validator-ns/op the
//     validator's own cost in the same run, added/validator their ratio
//     (target ≤ 1; BenchmarkTransport in contract/ measures the same without
//     a network).
//
// exchanges/op is HTTP exchanges per successful call as the server counted
// them, the first call's digest challenge included; every contender fails
// the benchmark unless it made exactly one exchange per call, plus that one
// challenge where there is digest (target: one exchange per call after the
// first challenge). cpu-ns/op is the CPU time of
// client and server together per call, which waiting for a busy machine
// does not inflate as it does ns/op.
func BenchmarkCreateLinkToken(b *testing.B) {
	rec := benchRecord201(b)
	b.Run("raw", func(b *testing.B) { benchOne(b, benchRaw(b, rec)) })
	b.Run("generated", func(b *testing.B) { benchOne(b, benchGenerated(b, rec)) })
	b.Run("client", func(b *testing.B) { benchOne(b, benchClient(b, false)) })
	b.Run("client-validated", func(b *testing.B) { benchOne(b, benchClient(b, true)) })
	b.Run("generated-vs-raw", func(b *testing.B) { benchPair(b, benchRaw(b, rec), benchGenerated(b, rec), "generated/raw") })
	b.Run("validated-vs-client", func(b *testing.B) {
		benchValidatedAdded(b, benchClient(b, false), benchClient(b, true), benchCapturedExchange(b))
	})
}

// BenchmarkCreateLinkTokenConcurrent is 32 goroutines sharing one root Client
// (digest, one connection pool with room for all of them) against atlastest,
// each creating link-tokens for its own organization until b.N calls are
// made. calls/s is the throughput over the whole run; exchanges/op counts
// every exchange the server saw, each first challenge included.
func BenchmarkCreateLinkTokenConcurrent(b *testing.B) {
	const workers = 32
	srv := testatlas.NewServer(b, atlastest.WithRateLimit(1<<30, time.Nanosecond))
	c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithHTTPClient(&http.Client{Transport: benchTransport(b, workers)}))
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	var next atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchCPU()
	start := time.Now()
	for w := range workers {
		org := fmt.Sprintf("%024x", w+1)
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := c.CreateLinkToken(ctx, org, benchIPs...); err != nil {
					if failures.Add(1) == 1 {
						b.Errorf("create: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	benchReportCPU(b, cpu0, b.N)
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d calls failed", n, b.N)
	}
	st := srv.Stats()
	if st.Successes != b.N {
		b.Fatalf("server counted %d successes for %d calls", st.Successes, b.N)
	}
	b.ReportMetric(st.ExchangesPerSuccess(), "exchanges/op")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
}
