package atlas_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
)

const testOrg = "4888442a3354817a7320eb61"

// The client's tests run against atlastest, the module's one fake Atlas,
// mounted under a non-empty path (/svc/) so that absolute-URL bugs show.
// What the client sent and got is recorded on the wire, below
// authentication (wireLog), and, unless a test sends garbage on purpose,
// every exchange is checked against the contract there too.

// mount is the path the service root is given under.
const mount = "/svc/"

// root is srv's service root as the client is given it.
func root(srv *atlastest.Server) string { return srv.URL() + mount }

// sleeper records the waits the retry loop asks for instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fastPolicy retries without real sleeping and without jitter, so waits are exact.
func fastPolicy(s *sleeper) atlas.RetryPolicy {
	p := atlas.DefaultRetryPolicy()
	p.Sleep = s.sleep
	p.Jitter = func(d time.Duration) time.Duration { return d }
	return p
}

// wireExchange is one exchange as the wire saw it.
type wireExchange struct {
	Method, Path, Query string
	Accept, ContentType string
	UserAgent, Auth     string
	Body, RespBody      string
	Status              int   // 0 when the exchange failed
	Err                 error // the transport's error, if any
}

// attempt reports whether the exchange was a call with credentials that
// the server did not answer with a challenge: one attempt of an operation.
func (x wireExchange) attempt() bool { return x.Auth != "" && x.Status != http.StatusUnauthorized }

// wireLog records every exchange the client sends, as a wire transport.
type wireLog struct {
	mu  sync.Mutex
	all []wireExchange
}

func (l *wireLog) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		x := wireExchange{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Accept: r.Header.Get("Accept"),
			ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"), Auth: r.Header.Get("Authorization")}
		if r.GetBody != nil {
			if b, err := r.GetBody(); err == nil {
				data, _ := io.ReadAll(b)
				x.Body = string(data)
			}
		}
		resp, err := next.RoundTrip(r)
		x.Err = err
		if err == nil {
			x.Status = resp.StatusCode
			data, rerr := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			x.RespBody = string(data)
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{rerr}))
		}
		l.mu.Lock()
		l.all = append(l.all, x)
		l.mu.Unlock()
		return resp, err
	})
}

// errReader ends a replayed body with the error its reading met (a
// truncated body stays truncated for the client).
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

func (l *wireLog) exchanges() []wireExchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]wireExchange(nil), l.all...)
}

// attempts counts the attempts (see wireExchange.attempt) with method ("":
// any).
func (l *wireLog) attempts(method string) int {
	n := 0
	for _, x := range l.exchanges() {
		if x.attempt() && (method == "" || x.Method == method) {
			n++
		}
	}
	return n
}

// testClient is a client of srv and what it records.
type testClient struct {
	*atlas.Client
	sleeps *sleeper
	wire   *wireLog
}

// newTestClient is a digest client for srv, validated against the
// contract on the wire (any exchange that breaks it fails t), whose retries
// record their waits instead of sleeping. opts come last and win.
func newTestClient(t testing.TB, srv *atlastest.Server, opts ...atlas.Option) *testClient {
	t.Helper()
	return buildTestClient(t, srv, true, opts)
}

// newLenientClient is newTestClient without the contract check, for tests
// of what the client does with answers no Atlas should send (faults with a
// raw body, a 409 on create).
func newLenientClient(t testing.TB, srv *atlastest.Server, opts ...atlas.Option) *testClient {
	t.Helper()
	return buildTestClient(t, srv, false, opts)
}

func buildTestClient(t testing.TB, srv *atlastest.Server, validate bool, opts []atlas.Option) *testClient {
	t.Helper()
	tc := &testClient{sleeps: &sleeper{}, wire: &wireLog{}}
	all := []atlas.Option{
		atlas.WithBaseURL(root(srv)),
		atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		atlas.WithRetryPolicy(fastPolicy(tc.sleeps)),
	}
	if validate {
		all = append(all, atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return contract.TestTransport(t, next) }))
	}
	all = append(all, atlas.WithWireTransport(tc.wire.wrap))
	c, err := atlas.NewClient(append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	tc.Client = c
	return tc
}

// newAtlasClient is newTestClient for tests that need only the client and
// its waits.
func newAtlasClient(t testing.TB, srv *atlastest.Server, opts ...atlas.Option) (*atlas.Client, *sleeper) {
	t.Helper()
	tc := newTestClient(t, srv, opts...)
	return tc.Client, tc.sleeps
}

// apiErrorBody is an ApiError as the service writes one, for faults that
// send a body of their own.
func apiErrorBody(status int, code string) string {
	return `{"detail":"injected","error":` + strconv.Itoa(status) + `,"errorCode":"` + code + `","parameters":null,"reason":"` + http.StatusText(status) + `"}`
}
