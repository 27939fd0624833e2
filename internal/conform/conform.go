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
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/casegen"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// The checks, named as Schemathesis names the same ideas.
const (
	CheckServerError   = "not_a_server_error"       // no 5xx
	CheckConformance   = "response_conformance"     // the answer keeps to the contract
	CheckPositive      = "positive_data_acceptance" // a request the contract accepts is not refused for its shape
	CheckNegative      = "negative_data_rejection"  // a request the contract refuses is refused with a 4xx
	CheckIgnoredAuth   = "ignored_auth"             // a request without valid credentials never succeeds: 401
	CheckRateLimitWait = "rate_limit_retry_after"   // a 429's Retry-After, when sent, is whole seconds
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
	// throw-away organization the run may create and remove links in; a
	// parameter not named takes the contract's example.
	Params map[string]string
	// Header is sent on every request (a gateway's own key, say). Its
	// values never appear in the report: they may be secrets.
	Header http.Header
	// AllowUnremovable names the operations that create what the contract
	// gives no way to remove, and that may run anyway against a server
	// that is not on loopback. Unnamed, such an operation is not sent
	// there at all.
	AllowUnremovable []string
	// Seed orders the requests; the same seed gives the same run.
	Seed uint64
	// MaxRequests bounds the HTTP requests of the run (default 400), the
	// removals at its end aside.
	MaxRequests int
	// Validator checks every answer (default contract.New()).
	Validator *contract.Validator
	// Document is the contract the cases come from (default: the one
	// embedded in generated/spec).
	Document *openapi3.T
	// Sleep waits out a 429 (tests make it instant).
	Sleep func(context.Context, time.Duration) error
	// Progress, when set, receives each outcome as it is known.
	Progress func(Outcome)
}

// After a 429 the run waits as Retry-After says, or backoff doubled at
// each attempt when it says nothing, and tries a request at most
// maxAttempts times. A Retry-After past maxWait is not waited out: the run
// does not stall on one request, and a retry before the server's time only
// meets another 429. Either way the request is then not judged.
const (
	backoff     = time.Second
	maxWait     = 30 * time.Second
	maxAttempts = 3
)

// maxUnansweredInARow ends a run whose server has stopped answering, or
// answers only 429: the rest of the plan would only wait out the same
// timeout, or the same rate limit, again and again.
const maxUnansweredInARow = 5

// run is one run's state.
type run struct {
	o       Options
	root    *url.URL
	v       *contract.Validator
	rs      *resources
	report  *Report
	base    map[string]planned // the plain positive request of each operation on each server
	created []creation
	// credsOK: servers on which some request with the run's credentials
	// was answered other than 401.
	credsOK map[string]bool
	// last is the last exchange answered.
	last exchange
}

// Run runs the checks and the probes against the server and removes what
// it created. The error is for a run that could not be made at all, or
// that ctx ended; what the server did wrong is in the Report, and
// Report.Verdict says what the run amounts to.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.MaxRequests <= 0 {
		o.MaxRequests = 400
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Raw == nil {
		o.Raw = http.DefaultClient
	}
	// A redirect is the server's answer, judged as such: followed, the
	// run would judge another server than the one named, and hand it the
	// run's credentials.
	o.Raw = noRedirects(o.Raw)
	clients := make(map[string]*http.Client, len(o.Clients))
	for base, c := range o.Clients {
		clients[base] = noRedirects(c)
	}
	o.Clients = clients
	root, err := url.Parse(o.Root)
	if err != nil || root.Host == "" || root.Scheme != "http" && root.Scheme != "https" {
		return nil, fmt.Errorf("conform: the service root %q is not an http(s) URL", o.Root)
	}
	r := &run{o: o, root: root, v: o.Validator, report: &Report{}, base: map[string]planned{}, credsOK: map[string]bool{}}
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
	r.rs = newResources(doc)
	plan, err := r.planRequests(doc)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	probes := planProbes(doc, plan)
	defer func() {
		r.cleanup(ctx)
		r.report.Verdict = r.report.verdict()
	}()
	inARow := 0
	for _, p := range append(plan, probes...) {
		if ctx.Err() != nil {
			break
		}
		if r.report.Requests >= o.MaxRequests {
			r.report.Truncated = true
			break
		}
		if p.kind == Probe && !r.credsOK[p.server] {
			// Even the probes without credentials: the run's premise (a
			// key the server accepts) is broken, and what it saw would be
			// read as evidence about the contract.
			r.note("assumption probes on " + p.server + " not sent: the server accepted none of the run's credentials")
			continue
		}
		if p.kind == Positive && p.c.Request.Method == http.MethodGet {
			if setup, ok := r.setupFor(p); ok {
				out := r.send(ctx, setup)
				r.record(out)
				if out.Status/100 == 2 {
					p = r.reading(p, r.last)
				}
			}
		}
		out := r.send(ctx, p)
		r.record(out)
		if out.Unanswered || out.Throttled {
			inARow++
		} else {
			inARow = 0
		}
		if inARow >= maxUnansweredInARow {
			r.report.Stopped = plural.Count(inARow, "request") + " in a row had no answer to judge"
			break
		}
	}
	return r.report, ctx.Err()
}

func (r *run) record(out Outcome) {
	r.report.Outcomes = append(r.report.Outcomes, out)
	if out.Unanswered {
		r.report.Unanswered++
	}
	if out.Throttled {
		r.report.Throttled++
	}
	if out.BodyNotJudged {
		r.report.NotJudged++
	}
	if r.o.Progress != nil {
		r.o.Progress(out)
	}
}

// note adds a line to the report's notes, once.
func (r *run) note(s string) {
	if !slices.Contains(r.report.Notes, s) {
		r.report.Notes = append(r.report.Notes, s)
	}
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
	// readsCreated: a positive GET of what the run has just created, so
	// anything but a 2xx fails.
	readsCreated bool
}

// planRequests derives the requests from the contract: each distinct
// request of a conforming case (positive), each request breaking one rule
// (negative), the requests without or with broken credentials (security).
// An operation whose creations the contract gives no way to remove is
// left out against a server not on loopback, unless the options name it.
func (r *run) planRequests(doc *openapi3.T) ([]planned, error) {
	g, err := casegen.New(doc)
	if err != nil {
		return nil, err
	}
	known := parameterNames(doc)
	for _, k := range slices.Sorted(maps.Keys(r.o.Params)) {
		if !known[k] {
			return nil, fmt.Errorf("conform: the contract has no parameter %q (it has %s)", k, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
		g.SetParam(k, r.o.Params[k])
	}
	cases, err := g.Cases()
	if err != nil {
		return nil, err
	}
	skipOp := map[string]bool{}
	for _, id := range r.rs.unremovable {
		switch {
		case slices.Contains(r.o.AllowUnremovable, id):
			r.note(id + " is exercised although the contract gives no way to remove what it creates, as asked: what it creates stays")
		case loopback(r.root.Hostname()):
			r.note(id + " is exercised although the contract gives no way to remove what it creates, because the server is on loopback: what it creates stays")
		default:
			skipOp[id] = true
			r.note(id + " not exercised: the contract gives no way to remove what it creates (no link from its answer to a DELETE, no DELETE on its path); name it to allow it anyway")
		}
	}
	seen := map[string]bool{}
	var out []planned
	for _, c := range cases {
		base := basePath(c.Server)
		if r.o.Clients[base] == nil || skipOp[c.Operation] {
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
		p.name = strings.Replace(p.name, " → "+strconv.Itoa(c.Response.Status), "", 1)
		key := string(p.kind) + " " + requestKey(c.Request)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
		if p.kind == Positive && c.Request.Header.Get("Authorization") != "" && plain(p) {
			if _, ok := r.base[c.Operation+" "+base]; !ok {
				r.base[c.Operation+" "+base] = p
			}
		}
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

// parameterNames are the names of every parameter the contract declares.
func parameterNames(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, op := range item.Operations() {
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value != nil {
					out[p.Value.Name] = true
				}
			}
		}
	}
	return out
}

// plain reports whether p is an operation's plain conforming request,
// not a variant (a later Accept date, an empty list), by its name.
func plain(p planned) bool {
	return !strings.Contains(strings.TrimPrefix(p.name, p.operation+" on "+p.server), ": ")
}

// loopback reports whether host is this machine: "localhost" or a
// loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// skipNegative are breakages a server may rightly let through: a notice
// (an undeclared query parameter), a body it may ignore on an operation
// that takes none, data after the JSON text (common JSON parsers stop
// after the first value), a member name twice (RFC 8259 §4 says names
// SHOULD be unique, and common parsers, Jackson's by default among them,
// keep the last), an encoded body.
var skipNegative = map[string]bool{
	"undeclared-parameter": true, "no-body": true, "trailing-data": true, "duplicate-name": true, "content-encoding": true,
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

// send sends one planned request (again after a 429, as Retry-After says)
// and checks the answer.
func (r *run) send(ctx context.Context, p planned) Outcome {
	out := Outcome{Kind: p.kind, Case: p.name}
	req, err := r.build(ctx, p)
	if err != nil {
		out.Err = err.Error()
		return out
	}
	out.Request = describe(req, r.o.Header)
	out.Replay = replay(req, p.authed, r.o.Header)
	client := r.o.Raw
	if p.authed {
		client = r.o.Clients[p.server]
	}
	var resp *http.Response
	var body []byte
	var throttled string // why a 429 is the last answer, when it is
	for attempt := 1; ; attempt++ {
		if r.report.Requests >= r.o.MaxRequests {
			r.report.Truncated = true
			out.Err = "the request budget ran out"
			return out
		}
		r.report.Requests++
		resp, err = client.Do(req.Clone(ctx))
		if err == nil {
			body, err = r.readBody(resp)
		}
		if err != nil {
			out.Err = "no answer: " + redactErr(err)
			out.Unanswered = ctx.Err() == nil
			if p.kind == Positive && !refused(err) {
				// It may have arrived and created something.
				x, matched := r.exchangeOf(p, req, false, nil, nil)
				r.noteCreation(p, req, x, matched)
			}
			return out
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			break
		}
		if attempt >= maxAttempts {
			throttled = fmt.Sprintf("still answered 429 after %d attempts", attempt)
			break
		}
		wait, said := retryWait(resp.Header, attempt)
		// MongoDB's specification: Retry-After "might be returned" on a
		// 429; when it is, it is whole seconds. Without it the run backs off.
		r.check(&out, CheckRateLimitWait, said || len(resp.Header.Values("Retry-After")) == 0, "a 429 with a Retry-After that is not whole seconds")
		if wait > maxWait {
			throttled = fmt.Sprintf("answered 429 with a Retry-After of %s, longer than conform waits (%s)", wait, maxWait)
			break
		}
		if err := r.o.Sleep(ctx, wait); err != nil {
			out.Err = err.Error()
			return out
		}
		if req.GetBody != nil {
			req.Body, _ = req.GetBody()
		}
	}
	out.Status = resp.StatusCode
	if p.authed && resp.StatusCode != http.StatusUnauthorized {
		r.credsOK[p.server] = true
	}
	x, matched := r.exchangeOf(p, req, true, resp, body)
	r.last = x
	if resp.StatusCode/100 == 2 {
		r.noteCreation(p, req, x, matched)
	}
	if throttled != "" {
		// The 429 is an answer of the service and is judged as one; what
		// the request was sent to learn (accepted, refused, challenged, a
		// probe's observation) is not: the service never looked at it.
		out.Throttled = true
		out.Err = "not judged: rate-limited: " + throttled
		r.judgeAnswer(&out, p, req, resp, body)
		return out
	}
	if p.kind == Probe {
		if p.authed && resp.StatusCode == http.StatusUnauthorized {
			out.Err = "not judged: the server refused the run's credentials"
			return out
		}
		if r.overLimit(body) {
			// A probe reads the body; a part of it is no observation.
			r.bodyNotJudged(&out)
			return out
		}
		out.Observation = p.probe(out, body)
		r.report.Observations++
		return out
	}
	// The answer's own checks, then whether it is what the request was
	// sent to learn.
	r.judgeAnswer(&out, p, req, resp, body)
	r.judgeKind(&out, p, resp, body)
	return out
}

// readBody reads an answer's body, as much of it as the validator judges
// and a byte (so that a larger one is reported as such, not judged cut);
// a body cut short (the connection closed before its end) is an error: no
// whole answer, and never judged as if it were one.
func (r *run) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.v.BodyLimit()+1))
	if err != nil {
		return nil, fmt.Errorf("the answer's body was cut short: %w", err)
	}
	return body, nil
}

// overLimit reports whether body, as readBody read it, is larger than the
// validator judges.
func (r *run) overLimit(body []byte) bool { return int64(len(body)) > r.v.BodyLimit() }

// bodyNotJudged marks out's answer as one whose body was not judged.
func (r *run) bodyNotJudged(out *Outcome) {
	out.BodyNotJudged = true
	out.Err = fmt.Sprintf("not judged: the answer's body is larger than the %d bytes the check reads", r.v.BodyLimit())
}

// noRedirects is a copy of c that hands a redirect back as the answer.
func noRedirects(c *http.Client) *http.Client {
	copied := *c
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &copied
}

// refused reports whether a request never reached the server: the
// connection was refused or could not be made, so nothing was created.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (r *run) build(ctx context.Context, p planned) (*http.Request, error) {
	u := *p.c.Request.URL
	u.Scheme, u.Host = r.root.Scheme, r.root.Host
	if prefix := strings.TrimSuffix(r.root.Path, "/"); prefix != "" {
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
	for name, values := range r.o.Header {
		req.Header[name] = slices.Clone(values)
	}
	if p.authed {
		req.Header.Del("Authorization") // the client authenticates, for real
	}
	return req, nil
}

// judgeAnswer checks the answer itself: no server error, and every part of
// the response as the contract says.
func (r *run) judgeAnswer(out *Outcome, p planned, req *http.Request, resp *http.Response, body []byte) {
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
			if x.Side == contract.SideResponse && x.NotJudged() {
				// An answer larger than the validator reads: its status and
				// headers are judged, its body is not, and the run says so
				// rather than failing the server for the run's own limit.
				r.bodyNotJudged(out)
				continue
			}
			if x.Side == contract.SideResponse || x.Rule == contract.RuleSecurity && p.kind == Security && st/100 == 2 {
				bad = append(bad, oneViolation(x))
			}
		}
		r.check(out, CheckConformance, len(bad) == 0, strings.Join(bad, "; "))
	}
}

// judgeKind checks that an answer is what a request of p's kind was sent
// to learn.
func (r *run) judgeKind(out *Outcome, p planned, resp *http.Response, body []byte) {
	st := resp.StatusCode
	switch p.kind {
	case Positive:
		if p.readsCreated {
			r.check(out, CheckPositive, st/100 == 2, fmt.Sprintf("a GET of what the run had just created was answered %d%s", st, errorCode(body)))
			break
		}
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

// oneViolation is x as Violation.Error prints it, escaped alike, without
// the exchange's name: the outcome names its request already.
func oneViolation(x *contract.Violation) string {
	y := *x
	y.Exchange = ""
	return y.Error()
}

// errorCode is " (CODE)" from an ApiError body, for messages; a code longer
// than any of Atlas's is left out rather than quoted.
func errorCode(body []byte) string {
	code, _, _ := bodyFields(body)
	if code == "" || len(code) > 80 {
		return ""
	}
	return " (" + code + ")"
}

// retryWait is how long to wait after a 429: as many whole seconds as
// its Retry-After says, or backoff doubled at each attempt when it says
// none (said is false).
func retryWait(h http.Header, attempt int) (wait time.Duration, said bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if said = err == nil && n >= 0; !said {
		return backoff << (attempt - 1), false
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

// redactErr keeps a transport error's words but no URL credentials, nor
// the header line of an answer net/http quotes (a server may echo a
// credential in one).
func redactErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + redactURL(ue.URL) + ": " + safetext.ParseError(ue.Err).Error()
	}
	return safetext.ParseError(err).Error()
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
// scheme of its credentials (never the credentials), and the names of the
// headers the user added (never their values).
func describe(r *http.Request, added http.Header) string {
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
	for _, name := range slices.Sorted(maps.Keys(added)) {
		parts = append(parts, name+": …")
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// replay is a curl command that sends the request again; credentials
// come from the environment variables the Atlas CLI reads, never from the
// run, and the headers the user added are left for the user to fill in.
func replay(r *http.Request, authed bool, added http.Header) string {
	args := []string{"curl", "-sS", "-i"}
	if authed {
		args = append(args, "--digest", "-u", `"$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY"`)
	}
	args = append(args, "-X", r.Method)
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		for _, v := range r.Header[k] {
			switch {
			case added[k] != nil:
				v = "…"
			case k == "Authorization" && !strings.HasPrefix(v, "Digest "):
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
