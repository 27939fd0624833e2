// Package proxy is the checking reverse proxy that `linktoken proxy` runs:
// it stands between a client and a server, forwards every exchange as the
// client sent it (so a digest handshake passes), checks each exchange of
// the link-token contract both ways with package contract, tells the
// client the verdict in response headers, optionally refuses a request
// that breaks the contract, and optionally records the traffic, secrets
// redacted, to a HAR archive.
package proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/pathvariant"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/preflight"
	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// The headers the proxy adds to every response to an operation of the
// contract, so that a client (or the person running it) sees the verdict
// where it looks: the number of violations (0 when the exchange conforms),
// one short line per violation (at most maxViolationHeaders, naming the
// place and the rule, never a value), and the number of notices.
const (
	// HeaderViolations is the number of violations, 0 when the exchange conforms.
	HeaderViolations = "X-Linktoken-Violations"
	// HeaderViolation is one line per violation: its place and rule.
	HeaderViolation = "X-Linktoken-Violation"
	// HeaderNotices is the number of notices, when there are any.
	HeaderNotices = "X-Linktoken-Notices"
	// HeaderViolationsJSON is the violations for programs, as Prism's
	// sl-violations is: a JSON array of {"side","part","pointer","rule"},
	// the same (at most maxViolationHeaders) as the lines of
	// HeaderViolation, in printable ASCII.
	HeaderViolationsJSON = "X-Linktoken-Violations-Json"
	maxViolationHeaders  = 10
	maxHeaderSummary     = 200
)

// DefaultMaxBody caps each body the proxy holds to check: the largest
// legitimate body of this API is a few kilobytes.
const DefaultMaxBody = contract.DefaultMiddlewareBodyLimit

// Proxy is a reverse proxy that checks every exchange of the contract
// passing through it. It forwards each request as the client sent it
// (method, path and query byte for byte, every header but the hop-by-hop
// ones, Authorization untouched), so a digest credential, which covers
// the method and the URI, is as valid upstream as it was here. Only the
// Host becomes the upstream's, which the credential does not cover and
// TLS and virtual hosting need.
type Proxy struct {
	upstream *url.URL
	v        *contract.Validator
	enforce  bool
	maxBody  int64
	log      *logger
	har      *HARWriter // nil without a recording
	rp       *httputil.ReverseProxy
	limits   Limits
	budget   *budget
	paths    *pathvariant.Paths
	// secrets are the contract's secret member names, lower-cased.
	secrets map[string]bool
	// passUnknown: under enforce, requests not in the contract pass.
	passUnknown bool
	// via is the proxy's Via entry, unique to the process.
	via string

	checked, broke, notices, passed atomic.Int64
	// shed requests were answered 503 (the budget spent); unchecked
	// exchanges passed on without a verdict; inFlight are being served.
	shed, unchecked, unanswered, cut, overCap, looped, unknown, inFlight atomic.Int64
}

// Config is what New needs; the zero value of each optional field is
// documented beside it.
type Config struct {
	// Upstream is the server's root URL (see ParseUpstream). Required.
	Upstream *url.URL
	// Enforce refuses a request that breaks the contract before it
	// reaches the upstream, and one that is not in the contract at all.
	Enforce bool
	// PassUnknown lets requests that are not in the contract through
	// under Enforce.
	PassUnknown bool
	// Strict makes notices violations.
	Strict bool
	// MaxBody caps each body held to check and record; 0: DefaultMaxBody.
	MaxBody int64
	// Log receives a line per exchange; nil: io.Discard.
	Log io.Writer
	// HAR, if set, records every exchange; the caller closes it after
	// the server has stopped.
	HAR *HARWriter
	// Limits bound what clients and the upstream can make the proxy hold.
	Limits Limits
	// Document is the contract the proxy checks against; nil: the one
	// embedded in the module (generated/spec). A test of a grown contract
	// passes its own.
	Document *openapi3.T
}

// Stats counts what a proxy has seen so far.
type Stats struct {
	// Checked exchanges of the contract, Broke of them broke it, with
	// Notices in all; Passed requests were not operations of the contract.
	Checked, Broke, Notices, Passed int64
	// Shed requests were answered 503 for want of room (Limits.MaxBuffered);
	// Unchecked exchanges of the contract were passed on without a verdict
	// (no room to hold the response); Unanswered exchanges of the contract
	// got no answer from the upstream; InFlight are being served.
	Shed, Unchecked, Unanswered, InFlight int64
	// Cut exchanges of the contract got an answer whose body broke off
	// (the upstream closed before its end): judged on what came, which
	// is not the whole answer.
	Cut int64
	// TooLarge exchanges of the contract had a body over --max-body-bytes
	// and nothing else found: passed on, not judged.
	TooLarge int64
	// Looped requests came back to the proxy (its own Via): refused, 508.
	Looped int64
	// Unknown requests were not operations of the contract: refused, 404
	// (Enforce without PassUnknown).
	Unknown int64
	// PeakBuffered is the most body bytes held at once.
	PeakBuffered int64
}

// New builds a proxy to c.Upstream.
func New(c Config) (*Proxy, error) {
	if c.Upstream == nil {
		return nil, errors.New("proxy: no upstream")
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	opts := []contract.Option{contract.MaxBodyBytes(c.MaxBody)}
	if c.Strict {
		opts = append(opts, contract.Strict())
	}
	if c.Document != nil {
		opts = append(opts, contract.WithDocument(c.Document))
	}
	v, err := contract.New(opts...)
	if err != nil {
		return nil, err
	}
	// The paths and secrets are read from the document the checks use.
	doc := v.Document()
	lim, err := c.Limits.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Proxy{upstream: c.Upstream, v: v, enforce: c.Enforce, maxBody: c.MaxBody, log: newLogger(c.Log), har: c.HAR,
		limits: lim, budget: &budget{max: lim.MaxBuffered}, via: viaProduct + rand.Text(),
		paths: pathvariant.New(v), secrets: secretNames(doc), passUnknown: c.PassUnknown}
	// The requests go upstream on a clone of http.DefaultTransport that
	// adds nothing to them.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Left on, the transport would ask for gzip on the client's behalf
	// and decode it: the upstream would see a header the client never
	// sent, and the client a body the upstream never sent.
	tr.DisableCompression = true
	// A stuck upstream holds a connection per request: no more than the
	// clients can.
	tr.MaxConnsPerHost = lim.MaxConns
	tr.ResponseHeaderTimeout = lim.UpstreamTimeout
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      tr,
		ModifyResponse: p.checkResponse,
		ErrorHandler:   p.upstreamFailed,
		ErrorLog:       p.errorLog(),
	}
	return p, nil
}

// Upstream is where the proxy forwards to.
func (p *Proxy) Upstream() *url.URL { return p.upstream }

// Stats is what the proxy has counted so far.
func (p *Proxy) Stats() Stats {
	return Stats{Checked: p.checked.Load(), Broke: p.broke.Load(), Notices: p.notices.Load(), Passed: p.passed.Load(),
		Shed: p.shed.Load(), Unchecked: p.unchecked.Load(), Unanswered: p.unanswered.Load(), Cut: p.cut.Load(), TooLarge: p.overCap.Load(), Looped: p.looped.Load(), Unknown: p.unknown.Load(), InFlight: p.inFlight.Load(), PeakBuffered: p.budget.peak.Load()}
}

// String is the stats in a sentence: "3 exchanges of the contract
// checked, 1 broke it, 0 notices; 2 other requests passed through", and
// what could not be checked, when anything could not.
func (s Stats) String() string {
	out := fmt.Sprintf("%s of the contract checked, %d broke it, %s; %s passed through",
		plural.Count(s.Checked, "exchange"), s.Broke, plural.Count(s.Notices, "notice"), plural.Count(s.Passed, "other request"))
	for _, c := range []struct {
		n    int64
		what string
	}{
		{s.Unanswered, "got no answer from the upstream"},
		{s.Cut, "got an answer whose body broke off"},
		{s.Unchecked, "passed on unchecked (the proxy's buffer limit)"},
		{s.TooLarge, "had a body over --max-body-bytes (not judged)"},
		{s.Shed, "answered 503 (the proxy's buffer limit)"},
		{s.Looped, "came back to the proxy (a loop): refused with 508"},
		{s.Unknown, "not in the contract: refused with 404"},
	} {
		if c.n > 0 {
			out += fmt.Sprintf("; %d %s", c.n, c.what)
		}
	}
	return out
}

// Unjudged is the number of exchanges of the contract that reached the
// upstream but got no verdict on a whole answer: no answer came, it broke
// off, or it could not be held.
func (s Stats) Unjudged() int64 { return s.Unanswered + s.Cut + s.Unchecked + s.TooLarge }

// errorLog writes to the proxy's log, for an http.Server's ErrorLog.
func (p *Proxy) errorLog() *log.Logger { return log.New(logWriter{p.log}, "proxy: ", 0) }

// ParseUpstream accepts a server's root URL only: the proxy forwards each
// request's path as the client sent it, so that a digest credential, which
// covers the URI, is valid upstream; a base path of the upstream's own
// would change every URI.
func ParseUpstream(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("--upstream is required: the server's root URL, as http(s)://host[:port]/")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("--upstream %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("--upstream %q: want an http or https URL", s)
	case u.Host == "":
		return nil, fmt.Errorf("--upstream %q: no host", s)
	case u.User != nil:
		return nil, errors.New("--upstream: credentials do not belong in the URL; the client sends its own")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("--upstream %q: want the server's root URL, without a path or query: requests keep the path "+
			"the client sent, which its digest credential covers", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// rewrite sends the request to the upstream, changing nothing but where
// it goes: path, query and Authorization stay as the client sent them.
// The ReverseProxy drops a query's unparsable parameters and the
// Forwarded headers before Rewrite; both are put back, since the digest
// covers the query and this proxy is a tap, not a gateway that vouches
// for a client's address.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL.Scheme = p.upstream.Scheme
	pr.Out.URL.Host = p.upstream.Host
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	pr.Out.Host = ""
	for _, name := range forwardedHeaders {
		if vs, ok := pr.In.Header[name]; ok {
			pr.Out.Header[name] = vs
		}
	}
	pr.Out.Header.Add("Via", "1.1 "+p.via)
}

// forwardedHeaders are the headers httputil.ReverseProxy removes before
// Rewrite, canonical.
var forwardedHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"}

// exchangeKey finds an exchange's state in its request's context, from
// the ReverseProxy's hooks.
type exchangeKey struct{}

// exchange is one exchange of the contract on its way through the proxy.
type exchange struct {
	m       *contract.Match
	start   time.Time
	req     *contract.Request // its body nil when over the cap
	reqOver bool
	resp    *contract.Response // nil until the upstream answers (or the proxy refuses)
	// respOver: the response body was over the cap (streamed, not held);
	// respErr: the upstream's body broke off after the bytes held.
	respOver bool
	respErr  error
	// upstreamErr: no response came (connection refused, timeout, the
	// client gone).
	upstreamErr error
	refused     bool
	// sent is the URL as the client sent it, when it is a variant of the
	// contract's path (req.URL then being the contract's).
	sent *url.URL
	// unchecked: no room to hold the response body, so no verdict.
	unchecked bool
	// held is what the bodies take of the proxy's budget, given back
	// once the exchange is logged and recorded.
	held int64
	res  *contract.Result
	// flush sends what has been written to the client so far.
	flush func() error
}

// ServeHTTP checks an exchange of the contract on its way through, and
// passes anything else through untouched.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	// From here on the upstream's part is bounded too: the request's
	// body is bounded by the server's ReadTimeout.
	ctx, cancel := context.WithTimeout(r.Context(), p.limits.Read+p.limits.UpstreamTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	if p.cameBack(r) {
		p.looped.Add(1)
		p.log.line("%s %s 508: came back to this proxy (its own Via): the upstream leads here", r.Method, r.URL.EscapedPath())
		http.Error(w, "linktoken proxy: loop detected: this request came back to the proxy that forwarded it", http.StatusLoopDetected)
		return
	}
	if preflight.Is(r.Method, r.Header) {
		// A browser's question about a request, not an operation of the
		// contract, whatever its path; check skips it the same way.
		p.passThrough(w, r)
		return
	}
	judged, sent := r.URL, (*url.URL)(nil)
	m, canon, err := p.paths.Match(r.Method, r.URL)
	if canon != nil {
		judged, sent = canon, r.URL
	}
	if err != nil {
		if p.enforce && !p.passUnknown && !p.paths.TokenEndpoint(r.URL) {
			p.refuseUnknown(w, r)
			return
		}
		p.passThrough(w, r)
		return
	}
	x := &exchange{m: m, start: time.Now(), flush: http.NewResponseController(w).Flush, sent: sent}
	body, held, over, err := p.budget.readBody(r.Body, r.ContentLength, p.maxBody)
	x.held = held
	switch {
	case errors.Is(err, errBudget):
		p.budget.release(held)
		p.shed.Add(1)
		p.log.line("%s %s 503 %s: not checked, not forwarded: %v", r.Method, r.URL.EscapedPath(), orDash(m.Operation), err)
		// The body is left unread: the connection cannot carry another
		// request.
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "1")
		http.Error(w, "linktoken proxy: too many request bodies held at once; retry", http.StatusServiceUnavailable)
		return
	case err != nil:
		p.budget.release(held)
		p.log.line("%s %s: the request body could not be read: %v", r.Method, r.URL.EscapedPath(), err)
		http.Error(w, "linktoken proxy: the request body could not be read", http.StatusBadRequest)
		return
	}
	x.reqOver = over
	if over {
		// Streamed on, unchecked: what was read, then the rest.
		r.Body = rejoin(body, r.Body)
		body = nil
	} else if r.Body != nil && r.Body != http.NoBody {
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	x.req = &contract.Request{Method: r.Method, URL: judged, Header: r.Header, Body: body}
	// Deferred, so that an exchange whose response broke off (which the
	// ReverseProxy ends with a panic, http.ErrAbortHandler) is reported too.
	defer p.finish(r, x)
	if !p.enforce || !p.refuse(w, x) {
		p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x)))
	}
	// The answer goes out now, not when the handler returns: the client
	// need not wait for the log line and the recording.
	_ = x.flush()
}

// refuseUnknown answers, with --enforce, a request that is not an
// operation of the contract, nor a variant of one, nor a token endpoint,
// as the live service answers a path it does not have: 404.
func (p *Proxy) refuseUnknown(w http.ResponseWriter, r *http.Request) {
	p.unknown.Add(1)
	p.log.line("%s %s 404 (not in the contract: refused, --enforce without --pass-unknown)", r.Method, r.URL.EscapedPath())
	w.Header().Set(HeaderViolations, "1")
	w.Header().Set(HeaderViolation, "request path: not-in-contract")
	apierror.Write(w, apierror.New(http.StatusNotFound, "RESOURCE_NOT_FOUND", "linktoken proxy --enforce: not an operation of the link-token contract"))
}

// passThrough forwards a request that is not an operation of the contract,
// streaming both bodies untouched, and notes it.
func (p *Proxy) passThrough(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	p.passed.Add(1)
	defer func() {
		took := time.Since(start)
		p.log.line("%s %s %d (not in the contract: passed through) took=%s", r.Method, r.URL.EscapedPath(), sw.code, took.Round(time.Microsecond))
		if p.har != nil {
			p.har.add(otherEntry(r, p.upstream, sw.code, start, took))
		}
	}()
	p.rp.ServeHTTP(sw, r)
}

// refuse answers, with --enforce, a request that breaks the contract, as
// the contract's own middleware does (serverside.Refuse), before it reaches
// the upstream. A request without any credentials is the exception,
// whatever else it breaks: the live service authenticates first and
// answers the challenge, and digest clients (curl among them) send a first
// request without credentials to get it. Credentials that are there but
// malformed (another scheme, Bearer where only digest is taken, a digest
// response of the wrong length, an unknown algorithm, two Authorization
// headers) are refused like any other part of the request.
func (p *Proxy) refuse(w http.ResponseWriter, x *exchange) bool {
	if len(x.req.Header.Values("Authorization")) == 0 && !serverside.Anonymous(x.m) {
		return false
	}
	res := p.check(x)
	refusable := make(contract.Violations, 0, len(res.Violations))
	for _, v := range res.Violations {
		if v.Rule == contract.RuleSecurity && !serverside.Anonymous(x.m) {
			// serverside.Refuse leaves credentials to the server's
			// challenge; here there is none to give.
			c := *v
			c.Rule = "credentials"
			v = &c
		}
		refusable = append(refusable, v)
	}
	rec := httptest.NewRecorder()
	setVerdictHeaders(rec.Header(), res)
	if !serverside.Refuse(rec, x.m, &contract.Result{Violations: refusable}) {
		return false
	}
	resp := rec.Result()
	x.refused, x.res = true, res
	x.resp = &contract.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: rec.Body.Bytes()}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(x.resp.Body)
	return true
}

// checkResponse is the ReverseProxy's ModifyResponse: it holds the
// response body (up to the cap), checks the whole exchange, and adds the
// verdict headers before anything goes to the client.
func (p *Proxy) checkResponse(resp *http.Response) error {
	x, _ := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		return nil // not an operation of the contract: streamed untouched
	}
	// The verdict headers are the proxy's alone: a client must not read
	// the upstream's as the proxy's.
	for _, name := range []string{HeaderViolations, HeaderViolation, HeaderViolationsJSON, HeaderNotices} {
		resp.Header.Del(name)
	}
	body, held, over, err := p.budget.readBody(resp.Body, resp.ContentLength, p.maxBody)
	x.held += held
	switch {
	case errors.Is(err, errBudget):
		// No room to hold it: passed on as it comes, without a verdict.
		resp.Body = rejoin(body, resp.Body)
		x.unchecked = true
		x.resp = &contract.Response{StatusCode: resp.StatusCode, Header: resp.Header.Clone()}
		resp.Header.Set(HeaderViolations, "unchecked")
		return nil
	case over:
		resp.Body = rejoin(body, resp.Body)
		body = nil
	case err != nil:
		// Hand on what came, then the same failure: the client sees the
		// answer break off where the upstream's did (what was written is
		// flushed first; the ReverseProxy then drops the connection).
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err, x.flush}))
	default:
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	x.respOver, x.respErr = over, err
	x.resp = &contract.Response{StatusCode: resp.StatusCode, Header: resp.Header.Clone(), Body: body}
	x.res = p.check(x)
	setVerdictHeaders(resp.Header, x.res)
	return nil
}

// check judges the whole exchange. A body over the cap was not held: the
// checks of that body are replaced by the one violation it is. A body that
// broke off was judged on the part that came, which is not the answer: it
// is said not judged, as the validating transport and check say it.
func (p *Proxy) check(x *exchange) *contract.Result {
	ex := &contract.Exchange{Request: x.req, Response: x.resp}
	res := serverside.CheckMatch(p.v, x.m, ex)
	// Each case below names the exchange itself: the common exchange, none
	// of them, builds no name.
	if x.respErr != nil && !x.respOver {
		serverside.ExplainCut(ex, res, "", "the upstream's body broke off after "+plural.Count(len(x.resp.Body), "byte")+" (not judged)")
	}
	if x.reqOver {
		serverside.DropBodyFindings(res, contract.SideRequest)
		res.Violations = append(res.Violations, p.tooLarge(ex.Name(), contract.SideRequest))
	}
	if x.respOver {
		serverside.DropBodyFindings(res, contract.SideResponse)
		res.Violations = append(res.Violations, p.tooLarge(ex.Name(), contract.SideResponse))
	}
	if x.sent != nil {
		res.Violations = append(res.Violations, pathvariant.Violation(ex.Name(), x.m))
	}
	return res
}

// tooLarge is the violation of the named exchange's body on side being
// over the cap.
func (p *Proxy) tooLarge(name string, side contract.Side) *contract.Violation {
	return &contract.Violation{Exchange: name, Side: side, Part: contract.PartBody, Rule: contract.RuleBodyTooLarge,
		Expected: "at most " + plural.Count(p.maxBody, "byte") + " (--max-body-bytes)", Found: "more"}
}

// upstreamFailed is the ReverseProxy's ErrorHandler: no response came.
// The client gets a 502 (unless it is the one that went away); an
// exchange of the contract is logged by finish, anything else here.
func (p *Proxy) upstreamFailed(w http.ResponseWriter, r *http.Request, err error) {
	if x, _ := r.Context().Value(exchangeKey{}).(*exchange); x != nil {
		x.upstreamErr = err
	} else {
		p.log.line("%s %s: the upstream did not answer: %v", r.Method, r.URL.EscapedPath(), safetext.ParseError(err))
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		http.Error(w, "linktoken proxy: the upstream did not answer in time", http.StatusGatewayTimeout)
		return
	}
	http.Error(w, "linktoken proxy: the upstream did not answer", http.StatusBadGateway)
}

// finish logs the exchange, and its violations and notices one a line,
// counts it, and records it.
func (p *Proxy) finish(r *http.Request, x *exchange) {
	took := time.Since(x.start)
	status := 0
	if x.resp != nil {
		status = x.resp.StatusCode
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d %s", r.Method, r.URL.EscapedPath(), status, orDash(x.m.Operation))
	if x.m.Envelope {
		b.WriteString(" enveloped")
	}
	if x.res != nil {
		fmt.Fprintf(&b, " violations=%d notices=%d", x.res.ViolationCount(), x.res.NoticeCount())
	}
	if x.refused {
		b.WriteString(" refused (--enforce): the upstream did not see it")
	}
	if x.unchecked {
		b.WriteString(" not checked: no room to hold the response body (the proxy's buffer limit)")
		p.unchecked.Add(1)
	}
	switch {
	case x.upstreamErr != nil:
		// net/http quotes a header line it could not parse, which may
		// hold a secret.
		fmt.Fprintf(&b, " the upstream did not answer: %v", safetext.ParseError(x.upstreamErr))
		p.unanswered.Add(1)
	case x.respErr != nil:
		fmt.Fprintf(&b, " the upstream's body broke off: %v", safetext.ParseError(x.respErr))
		p.cut.Add(1)
	}
	fmt.Fprintf(&b, " took=%s", took.Round(time.Microsecond))
	lines := []string{b.String()}
	if x.res != nil {
		p.checked.Add(1)
		switch {
		case x.res.OK():
		case !slices.ContainsFunc(x.res.Violations, func(v *contract.Violation) bool { return !v.NotJudged() }):
			// Only bodies the proxy could not judge: no verdict, as for
			// an answer it could not hold. A body that broke off is
			// counted as Cut.
			if x.respErr == nil {
				p.overCap.Add(1)
			}
		default:
			p.broke.Add(1)
		}
		p.notices.Add(int64(len(x.res.Notices)))
		for _, v := range x.res.Violations {
			lines = append(lines, "  violation: "+v.Error())
		}
		for _, v := range x.res.Notices {
			lines = append(lines, "  notice: "+v.Error())
		}
	}
	p.log.lines(lines)
	if p.har != nil {
		p.har.add(p.contractEntry(x, took))
	}
	// The bodies are given back to the budget once recorded.
	p.budget.release(x.held)
}

// setVerdictHeaders writes the verdict into a response's headers.
func setVerdictHeaders(h http.Header, res *contract.Result) {
	h.Set(HeaderViolations, strconv.Itoa(res.ViolationCount()))
	type place struct {
		Side    contract.Side `json:"side"`
		Part    contract.Part `json:"part"`
		Pointer string        `json:"pointer"`
		Rule    string        `json:"rule"`
	}
	places := []place{}
	for i, v := range res.Violations {
		if i == maxViolationHeaders {
			break
		}
		h.Add(HeaderViolation, headerSafe(v.Summary(), maxHeaderSummary))
		places = append(places, place{v.Side, v.Part, headerSafe(v.Pointer, maxHeaderSummary), headerSafe(v.Rule, maxHeaderSummary)})
	}
	data, _ := json.Marshal(places)
	h.Set(HeaderViolationsJSON, string(data))
	if len(res.Notices) > 0 {
		h.Set(HeaderNotices, strconv.Itoa(len(res.Notices)))
	}
}

// headerSafe keeps printable ASCII only (a JSON pointer may hold any
// member name a client sent) and at most max bytes. Control characters
// are escaped first (safetext.Line), as the log and every other output
// shows them; what else is not ASCII becomes '?'.
func headerSafe(s string, max int) string {
	s = safetext.Line(s)
	out := []byte(nil)
	for i := 0; i < len(s) && len(out) < max; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '?')
		}
	}
	return string(out)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errReader flushes, then fails every read with err.
type errReader struct {
	err   error
	flush func() error
}

func (e errReader) Read([]byte) (int, error) {
	_ = e.flush()
	return 0, e.err
}

// statusWriter notes the status written through it.
type statusWriter struct {
	http.ResponseWriter
	code int // 0 until a status or a byte is written
}

func (s *statusWriter) WriteHeader(code int) {
	// An informational status (103 Early Hints), which the ReverseProxy
	// passes on as it comes, goes before the answer: not its status.
	if s.code == 0 && !rfc9110.Informational(code) {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (the ReverseProxy's flushes) reach
// the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// rejoin is a body that reads what was already read of rest, then the rest
// of it; closing it closes rest.
func rejoin(read []byte, rest io.ReadCloser) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(read), rest), rest}
}
