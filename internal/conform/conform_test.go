package conform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

const org = "4888442a3354817a7320eb61"

// serve starts the in-memory Atlas behind wrap (nil: as it is).
func serve(t *testing.T, wrap func(http.Handler) http.Handler, opts ...atlastest.Option) (*httptest.Server, *atlastest.Service) {
	t.Helper()
	if record := secretlog.FromEnv(); record != nil { // the suite's secret scan
		opts = append(opts, atlastest.WithSecretLog(record))
	}
	svc, err := atlastest.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = svc
	if wrap != nil {
		h = wrap(svc)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, svc
}

// seed orders the runs of these tests. Some tests need a create among the
// first requests of a run (a hanging server, a budget of 2 or 10), so a
// change to the cases derived from the contract can call for another seed.
const seed = 3

func options(t *testing.T, srv *httptest.Server, svc *atlastest.Service) conform.Options {
	t.Helper()
	return optionsAt(t, srv.URL, svc, srv.Client().Transport)
}

// optionsAt aims a run at root, every request carried by transport (one
// that dials the test server whatever root names, for a root that is not
// on loopback).
func optionsAt(t *testing.T, root string, svc *atlastest.Service, transport http.RoundTripper) conform.Options {
	t.Helper()
	clients := map[string]*http.Client{}
	for base, v := range map[string]atlas.APIVersion{atlastest.BasePathV2: atlas.APIVersionV2, atlastest.BasePathV1: atlas.APIVersionV1} {
		c, err := atlas.NewClient(atlas.WithBaseURL(root), atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()), atlas.WithAPIVersion(v),
			atlas.WithHTTPClient(&http.Client{Transport: transport}))
		if err != nil {
			t.Fatal(err)
		}
		clients[base] = c.HTTPClient()
	}
	return conform.Options{
		Root: root, Clients: clients, Raw: &http.Client{Transport: transport}, Params: map[string]string{"orgId": org}, Seed: seed,
		Sleep: func(context.Context, time.Duration) error { return nil },
	}
}

// TestTheInMemoryAtlasPasses: every check passes against the in-memory
// Atlas, every assumption is probed, and nothing is left behind.
func TestTheInMemoryAtlasPasses(t *testing.T) {
	srv, svc := serve(t, nil)
	rep, err := conform.Run(context.Background(), options(t, srv, svc))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Outcomes {
		for _, f := range o.Failures {
			t.Errorf("%s %s: %s: %s\n  %s", o.Kind, o.Case, f.Check, f.Detail, o.Request)
		}
		if o.Err != "" {
			t.Errorf("%s: %s", o.Case, o.Err)
		}
	}
	kinds := map[conform.Kind]int{}
	for _, o := range rep.Outcomes {
		kinds[o.Kind]++
	}
	if kinds[conform.Positive] < 10 || kinds[conform.Negative] < 20 || kinds[conform.Security] < 4 || kinds[conform.Probe] < 5 {
		t.Errorf("outcomes by kind %v", kinds)
	}
	if rep.Observations != kinds[conform.Probe] || rep.Truncated {
		t.Errorf("%s", rep.Summary())
	}
	if _, ok := svc.LinkToken(org); ok || rep.Cleanup != "removed what the run created" {
		t.Errorf("left a link behind (%s)", rep.Cleanup)
	}
	t.Log(rep.Summary())
}

// TestEveryAssumptionHasAProbe: each assumption the contract names has a
// probe that ran (none says it has no probe).
func TestEveryAssumptionHasAProbe(t *testing.T) {
	specformats.Register()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	assumed := conform.Assumptions(doc)
	if len(assumed) < 5 {
		t.Fatalf("only %d assumptions: %v", len(assumed), assumed)
	}
	srv, svc := serve(t, nil)
	rep, _ := conform.Run(context.Background(), options(t, srv, svc))
	seen := map[string]bool{}
	for _, o := range rep.Outcomes {
		if o.Kind != conform.Probe {
			continue
		}
		if strings.Contains(o.Observation, "no probe") {
			t.Errorf("%s: %s", o.Case, o.Observation)
		}
		for name := range assumed {
			if strings.HasPrefix(o.Case, "assumption "+name+" ") {
				seen[name] = true
			}
		}
		t.Logf("%s: %s", o.Case, o.Observation)
	}
	for name := range assumed {
		if !seen[name] {
			t.Errorf("assumption %s was not probed", name)
		}
	}
}

// TestBrokenServersAreCaught: each deliberately broken variant of the
// in-memory Atlas is caught, by the check that names its fault.
func TestBrokenServersAreCaught(t *testing.T) {
	tests := []struct {
		name   string
		wrap   func(http.Handler) http.Handler
		opts   []atlastest.Option
		check  string
		detail string
	}{
		{"a Retry-After on a 429 that is not whole seconds", setHeader(429, "Retry-After", "soon"), []atlastest.Option{atlastest.WithRateLimit(20, time.Hour)},
			conform.CheckRateLimitWait, "Retry-After"},
		{"an orgId that is not hex accepted", nonHexOrgID, nil, conform.CheckNegative, "pattern"},
		{"a request without credentials accepted", nil, []atlastest.Option{atlastest.WithoutAuthentication()}, conform.CheckIgnoredAuth, "not the 401"},
		{"linkToken as an array", linkTokenArray, nil, conform.CheckConformance, "/linkToken: type"},
		{"a 500 for malformed JSON", serverErrorOnBadJSON, nil, conform.CheckServerError, "answered 500"},
		{"no WWW-Authenticate on a 401", dropHeader(401, "WWW-Authenticate"), nil, conform.CheckConformance, "WWW-Authenticate"},
		{"malformed past the first MiB of a body", garbageAfterAMiB, nil, conform.CheckConformance, "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, svc := serve(t, tt.wrap, tt.opts...)
			o := options(t, srv, svc)
			o.MaxRequests = 200
			rep, err := conform.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict == conform.VerdictPass {
				t.Fatalf("not caught: %s", rep.Summary())
			}
			for _, out := range rep.Outcomes {
				for _, f := range out.Failures {
					if f.Check == tt.check && strings.Contains(strings.ToLower(f.Detail), strings.ToLower(tt.detail)) {
						if strings.Contains(out.Replay, svc.PrivateKey()) || strings.Contains(out.Request, svc.PrivateKey()) {
							t.Errorf("the report carries the private key")
						}
						return
					}
				}
			}
			var got []string
			for _, out := range rep.Outcomes {
				for _, f := range out.Failures {
					got = append(got, f.Check+": "+f.Detail)
				}
			}
			t.Fatalf("no %s failure mentioning %q among %d failures: %.600s", tt.check, tt.detail, rep.Failed, strings.Join(got, "\n"))
		})
	}
}

// TestA429WithoutRetryAfterIsNotAFailure: MongoDB's specification says a
// 429 "might" carry Retry-After, so a server that sends none fails no
// check: the run backs off instead.
func TestA429WithoutRetryAfterIsNotAFailure(t *testing.T) {
	srv, svc := serve(t, dropHeader(429, "Retry-After"), atlastest.WithRateLimit(20, time.Hour))
	o := options(t, srv, svc)
	o.MaxRequests = 200
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Throttled == 0 {
		t.Fatalf("no 429 met: %s", rep.Summary())
	}
	for _, out := range rep.Outcomes {
		for _, f := range out.Failures {
			if f.Check == conform.CheckRateLimitWait || strings.Contains(f.Detail, "Retry-After") {
				t.Errorf("%s: %s: %s", out.Case, f.Check, f.Detail)
			}
		}
	}
}

// TestAServerKeepingTheLastOfTwoNamesIsNotFailed: a body with a member name
// twice breaks only a SHOULD of RFC 8259, and a service whose JSON parser
// keeps the last (Jackson's default) carries the create out: no negative
// case may demand a refusal of it.
func TestAServerKeepingTheLastOfTwoNamesIsNotFailed(t *testing.T) {
	lastWins := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil && r.Method == http.MethodPost {
				data, _ := io.ReadAll(r.Body)
				var obj map[string]any
				if bytes.Count(data, []byte(`"accessListIps"`)) > 1 && json.Unmarshal(data, &obj) == nil {
					data, _ = json.Marshal(obj)
				}
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
			}
			h.ServeHTTP(w, r)
		})
	}
	srv, svc := serve(t, lastWins)
	o := options(t, srv, svc)
	o.MaxRequests = 200
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range rep.Outcomes {
		for _, f := range out.Failures {
			t.Errorf("%s: %s: %s", out.Case, f.Check, f.Detail)
		}
	}
}

// TestARedirectIsJudgedNotFollowed: a server that answers every request
// with a redirect to a conforming one is judged by its own answer, the
// 307: followed, the run would judge the other server, and hand it the
// run's credentials.
func TestARedirectIsJudgedNotFollowed(t *testing.T) {
	real, svc := serve(t, nil)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, real.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)
	rep, err := conform.Run(context.Background(), options(t, front, svc))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict == conform.VerdictPass {
		t.Fatalf("not caught: %s", rep.Summary())
	}
	for _, out := range rep.Outcomes {
		if out.Status != http.StatusTemporaryRedirect && out.Err == "" {
			t.Errorf("%s: answered %d, not the redirect", out.Case, out.Status)
		}
	}
}

// TestRunIsDeterministic: the same seed sends the same requests in the
// same order.
func TestRunIsDeterministic(t *testing.T) {
	order := func(seed uint64) string {
		srv, svc := serve(t, nil)
		o := options(t, srv, svc)
		o.Seed = seed
		rep, err := conform.Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, out := range rep.Outcomes {
			b.WriteString(out.Case + "\n")
		}
		return b.String()
	}
	if a, b := order(7), order(7); a != b {
		t.Error("two runs with one seed sent different requests")
	}
	if a, b := order(7), order(8); a == b {
		t.Error("two seeds sent the same order")
	}
}

// --- broken variants of the in-memory Atlas ---

// capture runs h and returns what it wrote, so a variant can change it.
func capture(h http.Handler, w http.ResponseWriter, r *http.Request, change func(*httptest.ResponseRecorder)) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	change(rec)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// setHeader sets a header of every answer of a status to value.
func setHeader(status int, name, value string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			capture(h, w, r, func(rec *httptest.ResponseRecorder) {
				if rec.Code == status {
					rec.Header().Set(name, value)
				}
			})
		})
	}
}

func dropHeader(status int, name string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			capture(h, w, r, func(rec *httptest.ResponseRecorder) {
				if rec.Code == status {
					rec.Header().Del(name)
				}
			})
		})
	}
}

func nonHexOrgID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := "z" + org[1:]
		if strings.Contains(r.URL.Path, bad) {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.Replace(r.URL.Path, bad, org, 1)
			r2.URL.RawPath = ""
			r2.RequestURI = r2.URL.RequestURI()
			// Credentials were signed for the URI sent: the variant
			// accepts the request as if authentication had passed.
			r2.Header.Del("Authorization")
			svcNoAuth(w, r2)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// garbageAfterAMiB sends every JSON body followed by a MiB of white space
// and a stray byte: malformed, however well its first MiB reads.
func garbageAfterAMiB(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		capture(h, w, r, func(rec *httptest.ResponseRecorder) {
			if rec.Body.Len() > 0 {
				rec.Body.WriteString(strings.Repeat(" ", 1<<20) + "x")
			}
		})
	})
}

// svcNoAuth is a second in-memory Atlas without authentication, which the
// non-hex variant hands its rewritten requests to.
var svcNoAuth = func() http.HandlerFunc {
	svc, err := atlastest.New(atlastest.WithoutAuthentication())
	if err != nil {
		panic(err)
	}
	return svc.ServeHTTP
}()

func linkTokenArray(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		capture(h, w, r, func(rec *httptest.ResponseRecorder) {
			var body map[string]any
			if rec.Code == http.StatusCreated && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
				if tok, ok := body["linkToken"].(string); ok {
					body["linkToken"] = []string{tok}
					b, _ := json.Marshal(body)
					rec.Body.Reset()
					rec.Body.Write(b)
				}
			}
		})
	})
}

func serverErrorOnBadJSON(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method == http.MethodPost {
			data, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(data))
			if len(data) > 0 && !json.Valid(data) && r.Header.Get("Authorization") != "" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":500,"errorCode":"UNEXPECTED_ERROR","detail":"boom","reason":"Internal Server Error","parameters":null}`))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// TestInterruptedRunCleansUp: a run stopped half-way (the context ends, as
// on SIGINT) still removes the link it created, with a context of its own.
func TestInterruptedRunCleansUp(t *testing.T) {
	srv, svc := serve(t, nil)
	o := options(t, srv, svc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	created := false
	o.Progress = func(out conform.Outcome) {
		if _, ok := svc.LinkToken(org); ok {
			created = true
			cancel() // interrupted while a link exists
		}
	}
	rep, err := conform.Run(ctx, o)
	if err == nil || !created {
		t.Fatalf("the run was not interrupted with a link in place (err %v, created %v)", err, created)
	}
	if _, ok := svc.LinkToken(org); ok || rep.Cleanup != "removed what the run created" {
		t.Fatalf("left a link behind after the interruption (%s)", rep.Cleanup)
	}
	if len(rep.Outcomes) >= 90 {
		t.Errorf("the run went on after the interruption: %d outcomes", len(rep.Outcomes))
	}
}
