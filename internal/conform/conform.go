// Package conform checks a running server against the contract: it sends
// requests derived from the contract (internal/casegen) — positive ones
// that must be accepted, negative ones that must be refused, requests
// without or with broken credentials that must meet the challenge — and
// checks every answer with package contract; then it probes each rule the
// contract marks as assumed (x-atlas-assumed) and reports what the server
// did, as an observation rather than a verdict.
//
// It is what `linktoken conform` runs. A run is deterministic for a seed,
// bounded in requests and time, honours Retry-After, and removes what it
// created (the organization's link) when it ends, even when interrupted.
package conform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/casegen"
)

// The checks, named as Schemathesis names the same ideas.
const (
	CheckServerError   = "not_a_server_error"       // no 5xx
	CheckConformance   = "response_conformance"     // the answer keeps to the contract
	CheckPositive      = "positive_data_acceptance" // a request the contract accepts is not refused for its shape
	CheckNegative      = "negative_data_rejection"  // a request the contract refuses is refused with a 4xx
	CheckIgnoredAuth   = "ignored_auth"             // a request without valid credentials never succeeds: 401
	CheckRateLimitWait = "rate_limit_retry_after"   // a 429 says how long to wait
)

// Options configure a run.
type Options struct {
	// Root is the service root the user named ("https://cloud.mongodb.com/").
	Root string
	// Clients authenticate requests, one per server base path
	// ("/api/atlas/v2"); a server without one is not exercised.
	Clients map[string]*http.Client
	// Raw sends requests without adding credentials: those without any, and
	// those with broken ones. Nil means http.DefaultClient.
	Raw *http.Client
	// Params are the values of parameters by name, such as the orgId of a
	// throw-away organization the run may create and remove links in.
	Params map[string]string
	// Seed orders the requests; the same seed gives the same run.
	Seed uint64
	// MaxRequests bounds the HTTP requests of the run (default 400).
	MaxRequests int
	// Validator checks every answer (default contract.New()).
	Validator *contract.Validator
	// Document is the contract the cases come from (default: the one
	// embedded in generated/spec).
	Document *openapi3.T
	// Backoff is the wait after a 429 without Retry-After (default 1s);
	// MaxWait caps any wait (default 30s); Sleep waits (tests make it
	// instant).
	Backoff, MaxWait time.Duration
	Sleep            func(context.Context, time.Duration) error
	// Cleanup removes what the run created; it runs at the end, with its
	// own short deadline, even when ctx was cancelled.
	Cleanup func(context.Context) error
	// Progress, when set, receives each outcome as it is known.
	Progress func(Outcome)
}

// Kind says what a request was sent to learn.
type Kind string

// The kinds of request.
const (
	Positive Kind = "positive" // the contract accepts it
	Negative Kind = "negative" // it breaks one rule of the contract
	Security Kind = "security" // it carries no valid credentials
	Probe    Kind = "probe"    // it tests an assumption of the contract
)

// Outcome is what one request found.
type Outcome struct {
	Kind Kind   `json:"kind"`
	Case string `json:"case"`
	// Request is the request, method and URL, with nothing secret in it.
	Request string `json:"request"`
	// Replay is a curl command line that sends it again, credentials
	// referred to by environment variable.
	Replay   string    `json:"replay"`
	Status   int       `json:"status"`
	Failures []Failure `json:"failures,omitempty"`
	// Observation is what a probe saw.
	Observation string `json:"observation,omitempty"`
	Err         string `json:"error,omitempty"`
}

// Failure is one check an answer failed.
type Failure struct {
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

// Report is the whole run.
type Report struct {
	Requests     int       `json:"requests"`
	Checks       int       `json:"checks"`
	Failed       int       `json:"failed"`
	Observations int       `json:"observations"`
	Outcomes     []Outcome `json:"outcomes"`
	// Truncated: the request budget ran out before every case was sent.
	Truncated bool   `json:"truncated,omitempty"`
	Cleanup   string `json:"cleanup,omitempty"`
}

// OK reports whether every check passed.
func (r *Report) OK() bool { return r.Failed == 0 }

// Summary is the report's last line.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d requests, %d checks, %d failed, %d observations", r.Requests, r.Checks, r.Failed, r.Observations)
	if r.Truncated {
		s += " (request budget reached)"
	}
	return s
}

// run is one run's state.
type run struct {
	o      Options
	v      *contract.Validator
	report *Report
}

// Run runs the checks and the probes against the server and removes what
// it created. The error is for a run that could not be made at all; what
// the server did wrong is in the Report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.MaxRequests <= 0 {
		o.MaxRequests = 400
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 30 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Raw == nil {
		o.Raw = http.DefaultClient
	}
	root, err := url.Parse(o.Root)
	if err != nil || root.Host == "" || root.Scheme != "http" && root.Scheme != "https" {
		return nil, fmt.Errorf("conform: the service root %q is not an http(s) URL", o.Root)
	}
	r := &run{o: o, v: o.Validator, report: &Report{}}
	if r.v == nil {
		if r.v, err = contract.New(); err != nil {
			return nil, err
		}
	}
	doc := o.Document
	if doc == nil {
		if doc, err = embeddedDoc(); err != nil {
			return nil, err
		}
	}
	plan, err := planRequests(doc, o.Params, o.Clients)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	probes := planProbes(doc, plan)
	defer func() {
		if o.Cleanup == nil {
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := o.Cleanup(cctx); err != nil {
			r.report.Cleanup = "could not remove what the run created: " + err.Error()
		} else {
			r.report.Cleanup = "removed what the run created"
		}
	}()
	for _, p := range append(plan, probes...) {
		if ctx.Err() != nil {
			break
		}
		if r.report.Requests >= o.MaxRequests {
			r.report.Truncated = true
			break
		}
		out := r.send(ctx, root, p)
		r.report.Outcomes = append(r.report.Outcomes, out)
		if o.Progress != nil {
			o.Progress(out)
		}
	}
	return r.report, ctx.Err()
}

// planned is one request to send, and what it is for.
type planned struct {
	kind      Kind
	name      string
	server    string // base path
	operation string
	c         casegen.Case
	broken    *casegen.Broken
	authed    bool // send through the server's authenticated client
	probe     func(Outcome, []byte) string
}

// planRequests derives the requests from the contract: each distinct
// request of a conforming case (positive), each request breaking one rule
// (negative), the requests without or with broken credentials (security).
func planRequests(doc *openapi3.T, params map[string]string, clients map[string]*http.Client) ([]planned, error) {
	g, err := casegen.New(doc, knownFormat)
	if err != nil {
		return nil, err
	}
	for k, v := range params {
		g.SetParam(k, v)
	}
	cases, err := g.Cases()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []planned
	for _, c := range cases {
		base := basePath(c.Server)
		if clients[base] == nil {
			continue
		}
		p := planned{name: c.Name, server: base, operation: c.Operation, c: c, broken: c.Broken, authed: true}
		switch {
		case c.Broken == nil && c.Request.Header.Get("Authorization") == "":
			p.kind, p.authed = Security, false
			p.name = c.Operation + " on " + base + ": no credentials"
		case c.Broken == nil:
			p.kind = Positive
		case c.Broken.Side != "request":
			continue // a fault only a server can make
		case c.Broken.Rule == "security":
			p.kind, p.authed = Security, false
		case skipNegative[c.Broken.Rule]:
			continue
		default:
			p.kind = Negative
		}
		p.name = strings.TrimPrefix(strings.Replace(p.name, " → "+strconv.Itoa(c.Response.Status), "", 1), "")
		key := string(p.kind) + " " + requestKey(c.Request)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
		if p.kind == Positive && c.Request.Header.Get("Authorization") != "" && !seen["wrong "+base+c.Operation] {
			// Well-formed credentials that are wrong: a digest response no
			// key computed.
			seen["wrong "+base+c.Operation] = true
			w := p
			w.kind, w.authed, w.broken = Security, false, &casegen.Broken{Side: "request", Rule: "security", Where: "Authorization"}
			w.name = c.Operation + " on " + base + ": well-formed credentials that are wrong"
			out = append(out, w)
		}
	}
	return out, nil
}

// skipNegative are breakages a server may rightly let through: a notice
// (an undeclared query parameter), a body it may ignore on an operation
// that takes none, data after the JSON text (common JSON parsers stop
// after the first value), an encoded body.
var skipNegative = map[string]bool{
	"undeclared-parameter": true, "no-body": true, "trailing-data": true, "content-encoding": true,
}

func requestKey(r casegen.Request) string {
	return r.Method + " " + r.URL.String() + " " + r.Header.Get("Content-Type") + " " + r.Header.Get("Accept") + " " +
		strings.SplitN(r.Header.Get("Authorization"), " ", 2)[0] + " " + string(r.Body)
}

func basePath(serverURL string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

func knownFormat(f string) bool {
	_, ok := openapi3.SchemaStringFormats[f]
	return ok
}

// send sends one planned request (again after a 429, as Retry-After says)
// and checks the answer.
func (r *run) send(ctx context.Context, root *url.URL, p planned) Outcome {
	out := Outcome{Kind: p.kind, Case: p.name}
	req, err := r.build(ctx, root, p)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	out.Request = describe(req)
	out.Replay = replay(req, p.authed)
	client := r.o.Raw
	if p.authed {
		client = r.o.Clients[p.server]
	}
	var resp *http.Response
	var body []byte
	for attempt := 1; ; attempt++ {
		if r.report.Requests >= r.o.MaxRequests {
			r.report.Truncated = true
			out.Err = "the request budget ran out"
			return out
		}
		r.report.Requests++
		resp, err = client.Do(req.Clone(ctx))
		if err != nil {
			out.Err = redactErr(err)
			return out
		}
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || attempt >= 3 {
			break
		}
		wait, ok := retryAfter(resp.Header)
		r.check(&out, CheckRateLimitWait, ok, "a 429 without a Retry-After of whole seconds")
		if !ok {
			wait = r.o.Backoff << (attempt - 1)
		}
		if err := r.o.Sleep(ctx, min(wait, r.o.MaxWait)); err != nil {
			out.Err = err.Error()
			return out
		}
		if req.GetBody != nil {
			req.Body, _ = req.GetBody()
		}
	}
	out.Status = resp.StatusCode
	if p.kind == Probe {
		out.Observation = p.probe(out, body)
		r.report.Observations++
		return out
	}
	r.judge(&out, p, req, resp, body)
	return out
}

func (r *run) build(ctx context.Context, root *url.URL, p planned) (*http.Request, error) {
	u := *p.c.Request.URL
	u.Scheme, u.Host = root.Scheme, root.Host
	if prefix := strings.TrimSuffix(root.Path, "/"); prefix != "" {
		u.Path = prefix + u.Path
		if u.RawPath != "" {
			u.RawPath = prefix + u.RawPath
		}
	}
	body := p.c.Request.Body
	req, err := http.NewRequestWithContext(ctx, p.c.Request.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header = p.c.Request.Header.Clone()
	if p.authed {
		req.Header.Del("Authorization") // the client authenticates, for real
	}
	return req, nil
}

// judge runs the checks on an answer.
func (r *run) judge(out *Outcome, p planned, req *http.Request, resp *http.Response, body []byte) {
	st := resp.StatusCode
	r.check(out, CheckServerError, st < 500, fmt.Sprintf("answered %d", st))
	sent := req.Header
	if resp.Request != nil {
		sent = resp.Request.Header // the credentials the client did send
	}
	res, err := r.v.Check(&contract.Exchange{
		Request:  &contract.Request{Method: req.Method, URL: req.URL, Header: sent, Body: p.c.Request.Body},
		Response: &contract.Response{StatusCode: st, Header: resp.Header, Body: body},
	})
	if err == nil {
		var bad []string
		for _, x := range res.Violations {
			if x.Side == contract.SideResponse || x.Rule == contract.RuleSecurity && p.kind == Security && st/100 == 2 {
				bad = append(bad, oneViolation(x))
			}
		}
		r.check(out, CheckConformance, len(bad) == 0, strings.Join(bad, "; "))
	}
	switch p.kind {
	case Positive:
		r.check(out, CheckPositive, !refusedForShape(st), fmt.Sprintf("a request the contract accepts was answered %d%s", st, errorCode(body)))
	case Negative:
		r.check(out, CheckNegative, st >= 400 && st < 500 && st != http.StatusTooManyRequests,
			fmt.Sprintf("a request breaking %s at %s was answered %d", p.broken.Rule, p.broken.Where, st))
	case Security:
		r.check(out, CheckIgnoredAuth, st == http.StatusUnauthorized, fmt.Sprintf("a request without valid credentials was answered %d, not the 401 challenge", st))
	}
}

// refusedForShape: statuses that mean the request itself was refused.
func refusedForShape(status int) bool {
	switch status {
	case 400, 401, 403, 405, 406, 413, 415, 422:
		return true
	}
	return false
}

func (r *run) check(out *Outcome, name string, passed bool, detail string) {
	r.report.Checks++
	if passed {
		return
	}
	r.report.Failed++
	out.Failures = append(out.Failures, Failure{Check: name, Detail: detail})
}

func oneViolation(x *contract.Violation) string {
	s := string(x.Side) + " " + string(x.Part)
	if x.Pointer != "" {
		s += " " + x.Pointer
	}
	return s + ": " + x.Rule + ": expected " + x.Expected + ", found " + x.Found
}

// errorCode is " (CODE)" from an ApiError body, for messages.
func errorCode(body []byte) string {
	i := bytes.Index(body, []byte(`"errorCode":"`))
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"errorCode":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || j > 80 {
		return ""
	}
	return " (" + string(rest[:j]) + ")"
}

func retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redactErr keeps a transport error's words but no URL credentials.
func redactErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + redactURL(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(url)"
	}
	u.User = nil
	return u.String()
}

// describe names a request for a report: method, URL, media types, the
// scheme of its credentials (never the credentials).
func describe(r *http.Request) string {
	s := r.Method + " " + redactURL(r.URL.String())
	var parts []string
	for _, h := range []string{"Content-Type", "Accept"} {
		if v := r.Header.Get(h); v != "" {
			parts = append(parts, h+": "+v)
		}
	}
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		parts = append(parts, "Authorization: "+scheme+" …")
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// replay is a curl command that sends the request again; credentials come
// from the environment variables the Atlas CLI reads, never from the run.
func replay(r *http.Request, authed bool) string {
	args := []string{"curl", "-sS", "-i"}
	if authed {
		args = append(args, "--digest", "-u", `"$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY"`)
	}
	args = append(args, "-X", r.Method)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			if k == "Authorization" && !strings.HasPrefix(v, "Digest ") {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " …"
			}
			args = append(args, "-H", shellQuote(k+": "+v))
		}
	}
	if r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(b, 4096))
			args = append(args, "--data-binary", shellQuote(string(data)))
		}
	}
	args = append(args, shellQuote(redactURL(r.URL.String())))
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
