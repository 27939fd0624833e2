package atlas_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// TestLoad is the load test of issue 6: loadClients concurrent clients, each
// with its own Client and its own loadOrgsPerClient organizations, create
// and remove links for a fixed time against atlastest with random 429s and
// 503s, on loopback. The suite runs it for loadDefaultDuration; `make load`
// sets LINKTOKEN_LOAD_DURATION (e.g. 60s).
//
// It fails on any unexpected error, on any contract violation in either
// direction (the client's wire through contract.NewTransport; the server's
// traffic through contract.Middleware in front of the service), and unless
// the server's links at the end are exactly the ones the clients believe
// they hold, token for token. Expected errors: a create that meets a 503 is
// not repeated by design (RetryPolicy), so its caller gets the 503 and
// knows no link was made (atlastest's 503 comes before the work). Speed is
// logged, never asserted.
//
// Retry waits are scaled down 100-fold (capped at 20ms): the waits
// themselves are checked elsewhere (TestClientAgainstEveryInjectableFault),
// and here they would only idle the clients.
func TestLoad(t *testing.T) {
	const (
		loadClients       = 64
		loadOrgsPerClient = 8
		loadFaultRate     = 0.05
		loadSeed          = 6
		loadMaxAttempts   = 10 // 0.05^10: a remove never runs out of attempts
	)
	dur := loadDuration(t)
	ignore := goleak.IgnoreCurrent()

	v, err := contract.New(contract.Strict())
	if err != nil {
		t.Fatal(err)
	}
	var viol loadViolations
	serverStatuses := &loadCounter{}
	svc, err := atlastest.New(
		atlastest.WithRandomFaults(loadSeed, loadFaultRate,
			atlastest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second},
			atlastest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: time.Second}),
		atlastest.WithExchangeLog(func(x atlastest.Exchange) {
			serverStatuses.add(fmt.Sprintf("%s %d", x.Operation, x.Status))
		}),
		atlastest.WithSecretLog(secretlog.FromEnv()), // for make secret-scan, as NewServer does
	)
	if err != nil {
		t.Fatal(err)
	}
	hs := serverlimits.NewServer(svc)
	hs.Handler = contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) { viol.add("server", res.Violations) }))(svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	root := "http://" + ln.Addr().String()

	type result struct {
		latencies []time.Duration
		errs      map[string]int
		expected  map[string]int
		calls     int
		links     map[string]string // org → the token this client believes it holds
	}
	results := make([]result, loadClients)
	var retries loadCounter
	policy := atlas.DefaultRetryPolicy()
	policy.MaxAttempts = loadMaxAttempts
	policy.Sleep = func(ctx context.Context, d time.Duration) error {
		tm := time.NewTimer(min(d/100, 20*time.Millisecond))
		defer tm.Stop()
		select {
		case <-tm.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	policy.OnRetry = func(ev atlas.RetryEvent) { retries.add(ev.Operation + " " + ev.Reason) }

	start := time.Now()
	end := start.Add(dur)
	var wg sync.WaitGroup
	for g := range loadClients {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		c, err := atlas.NewClient(
			atlas.WithBaseURL(root),
			atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
			atlas.WithHTTPClient(&http.Client{Transport: tr, Timeout: 30 * time.Second}),
			atlas.WithRetryPolicy(policy),
			atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
				return contract.NewTransport(v, next, func(vs contract.Violations) { viol.add("client", vs) })
			}),
		)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.CloseIdleConnections()
			rng := rand.New(rand.NewPCG(loadSeed, uint64(g)))
			res := result{errs: map[string]int{}, expected: map[string]int{}, links: map[string]string{}}
			orgs := make([]string, loadOrgsPerClient)
			for i := range orgs {
				orgs[i] = fmt.Sprintf("%024x", 0x10000000+g*loadOrgsPerClient+i)
			}
			// At least one call each, however short the run.
			for first := true; first || time.Now().Before(end); first = false {
				org := orgs[rng.IntN(len(orgs))]
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				t0 := time.Now()
				if _, linked := res.links[org]; linked {
					err := c.DeleteLinkToken(ctx, org)
					if err == nil {
						delete(res.links, org)
					} else {
						res.errs["delete: "+loadKind(err)]++
					}
				} else {
					tok, err := c.CreateLinkToken(ctx, org, fmt.Sprintf("192.0.2.%d", 1+rng.IntN(250)))
					var ae *atlas.APIError
					switch {
					case err == nil:
						res.links[org] = tok.Reveal()
					case errors.As(err, &ae) && ae.StatusCode == http.StatusServiceUnavailable:
						res.expected["create: 503, not repeated by design"]++
					default:
						res.errs["create: "+loadKind(err)]++
					}
				}
				res.latencies = append(res.latencies, time.Since(t0))
				res.calls++
				cancel()
			}
			results[g] = res
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Tally.
	var (
		lat      []time.Duration
		calls    int
		errs     = map[string]int{}
		expected = map[string]int{}
		believed = map[string]string{}
	)
	for g, r := range results {
		if r.calls == 0 {
			t.Errorf("client %d made no call", g)
		}
		calls += r.calls
		lat = append(lat, r.latencies...)
		for k, n := range r.errs {
			errs[k] += n
		}
		for k, n := range r.expected {
			expected[k] += n
		}
		for org, tok := range r.links {
			believed[org] = tok
		}
	}
	st := svc.Stats()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	t.Logf("%d clients × %d organizations for %s (-race: %v): %d calls, %.0f calls/s, %d HTTP exchanges, %.0f requests/s, %.3f exchanges per success",
		loadClients, loadOrgsPerClient, elapsed.Round(time.Millisecond), loadRaceEnabled, calls, float64(calls)/elapsed.Seconds(),
		st.Exchanges, float64(st.Exchanges)/elapsed.Seconds(), st.ExchangesPerSuccess())
	t.Logf("call latency p50 %s, p99 %s, max %s (retry waits scaled down 100×)", pct(0.50), pct(0.99), pct(1))
	t.Logf("faults injected %d; retries %v; expected errors %v; unexpected errors %v", st.Faults, retries.snapshot(), expected, errs)
	t.Logf("server answers %v", serverStatuses.snapshot())

	for k, n := range errs {
		t.Errorf("%d unexpected errors: %s", n, k)
	}
	for _, s := range viol.first() {
		t.Errorf("contract violation: %s", s)
	}
	if n := viol.count(); n > 0 {
		t.Errorf("%d contract violations in all", n)
	}
	for status, n := range serverStatuses.snapshot() {
		switch {
		case strings.HasSuffix(status, " 201"), strings.HasSuffix(status, " 204"), strings.HasSuffix(status, " 401"),
			strings.HasSuffix(status, " 429"), strings.HasSuffix(status, " 503"):
		default:
			t.Errorf("the server answered %q %d times", status, n)
		}
	}
	if st.Faults == 0 || len(retries.snapshot()) == 0 {
		t.Errorf("no fault was injected or retried (%d faults): the test tested nothing", st.Faults)
	}
	// Every link accounted for: the server holds exactly what the clients believe.
	if n := svc.LinkCount(); n != len(believed) {
		t.Errorf("the server holds %d links, the clients believe %d", n, len(believed))
	}
	for g := range loadClients {
		for i := range loadOrgsPerClient {
			org := fmt.Sprintf("%024x", 0x10000000+g*loadOrgsPerClient+i)
			got, ok := svc.LinkToken(org)
			want, believedOK := believed[org]
			if ok != believedOK || got != want {
				t.Errorf("organization %s: server has a link %v, client believes %v, same token %v", org, ok, believedOK, got == want)
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("serve: %v", err)
	}
	goleak.VerifyNone(t, ignore)
}

// loadRaceEnabled reads the -race build setting, for the log.
var loadRaceEnabled = func() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}()

// loadDefaultDuration is the suite's run: the "10-second version".
const loadDefaultDuration = 10 * time.Second

func loadDuration(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("LINKTOKEN_LOAD_DURATION")
	if s == "" {
		return loadDefaultDuration
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("LINKTOKEN_LOAD_DURATION=%q: want a positive duration such as 60s", s)
	}
	return d
}

// loadKind names an error without any secret: status and error code, or
// the error's type.
func loadKind(err error) string {
	var ae *atlas.APIError
	var ue *atlas.UnexpectedResponseError
	switch {
	case errors.As(err, &ae):
		return fmt.Sprintf("%d %s", ae.StatusCode, ae.ErrorCode)
	case errors.As(err, &ue):
		return fmt.Sprintf("unexpected response %d (%s)", ue.StatusCode, ue.Problem)
	case errors.Is(err, context.DeadlineExceeded):
		return "context deadline"
	}
	// The type of the innermost error of the first chain: a retried
	// call's wrapping says nothing of the cause.
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if next := u.Unwrap(); len(next) > 0 {
				err = next[0]
				continue
			}
		}
		return fmt.Sprintf("%T", err)
	}
}

type loadCounter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *loadCounter) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
}

func (c *loadCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// loadViolations collects contract violations from both sides, keeping the
// first few for the report.
type loadViolations struct {
	mu   sync.Mutex
	n    int
	some []string
}

func (l *loadViolations) add(side string, vs contract.Violations) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range vs {
		l.n++
		if len(l.some) < 10 {
			l.some = append(l.some, side+": "+v.Error())
		}
	}
}

func (l *loadViolations) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func (l *loadViolations) first() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.some...)
}
