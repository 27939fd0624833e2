package atlastest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// TokenPath is where the service-account token endpoint answers, under the
// service root (and under any mount prefix, like the API's base paths).
const TokenPath = "/api/oauth/token"

// ServeHTTP answers one request. The request is matched against the
// contract once, and every layer works from that match: authentication
// with the schemes the operation accepts on its server, then a queued
// fault, the rate limit of the resource, content negotiation, the body cap,
// validation (once, against the match), and the operation's handler (the
// generated strict server, or one given by WithOperationHandler); then
// the response is shaped the one way the live service shapes every
// response (response.go) and sent.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := s.route(r)
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x))
	rec := newRecorder()
	s.serve(rec, r, x)
	if x.fault != nil && x.fault.Latency > 0 {
		delay := x.fault.Latency
		s.cfg.limits.ExtendDeadlines(w, delay)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	s.finish(w, x, rec, func(status int, enveloped bool) {
		operation := x.match != nil && x.match.Operation != ""
		s.stats.record(x.op, status, operation)
		if s.cfg.logExchange == nil {
			return
		}
		ex := Exchange{
			Method: r.Method, Path: r.URL.RequestURI(), Operation: x.op,
			Principal: x.principal, Status: status, Duration: time.Since(start), Enveloped: enveloped,
		}
		if operation {
			ex.PathParams = serverside.PathParams(x.match)
		}
		if x.fault != nil {
			ex.Fault = x.fault.String()
		}
		s.cfg.logExchange(ex)
	})
}

// route matches the request against the contract, once: what every later
// layer knows about the request comes from here.
func (s *Service) route(r *http.Request) *exchange {
	x := &exchange{op: OpUnknown}
	if s.tokenPath(r.URL) {
		x.op = OpOAuthToken
		return x
	}
	m, err := s.contract.Match(r.Method, r.URL)
	if err != nil {
		x.server, _ = serverside.UnderServer(s.contract, r.URL)
	} else {
		x.match, x.server, x.envelope = m, m.Server, m.Envelope
		if m.Operation != "" {
			x.op = m.Operation
		}
		x.resource = resourceOf(m)
	}
	if x.server != "" {
		x.pretty = r.URL.Query().Get("pretty") == "true"
	}
	return x
}

// tokenPath reports whether u names the token endpoint: TokenPath, or
// TokenPath under a mount prefix as the API's base paths may be, spelled
// as written (no encoded, empty or dot segment that a server would
// normalise away) and never under the API's own base paths, where it is
// no operation's path (a 404 like any other).
func (s *Service) tokenPath(u *url.URL) bool {
	prefix, ok := strings.CutSuffix(u.EscapedPath(), TokenPath)
	switch {
	case !ok:
		return false
	case prefix == "":
		return true
	case !strings.HasPrefix(prefix, "/") || path.Clean(prefix) != prefix:
		return false
	}
	_, underAPI := serverside.UnderServer(s.contract, &url.URL{Path: prefix + "/"})
	return !underAPI
}

// resourceOf is the path template with the request's path parameters in
// place: "/orgs/{orgId}/…" becomes "/orgs/4888…/…", one rate-limit bucket
// per resource, whatever its operation or version, and however its path
// parameters were escaped.
func resourceOf(m *contract.Match) string {
	key := m.Path
	for name, value := range serverside.PathParams(m) {
		key = strings.Replace(key, "{"+name+"}", value, 1)
	}
	return key
}

// serve runs the request through the layers into w, a recorder: nothing is
// sent before finish shapes it.
func (s *Service) serve(w *recorder, r *http.Request, x *exchange) {
	switch {
	case x.op == OpOAuthToken:
		if len(s.cfg.serviceAccounts) == 0 {
			apierror.Write(w, apierror.New(http.StatusNotFound, CodeResourceNotFound, "No service accounts are configured."))
			return
		}
		s.serveToken(w, r)
		return
	case x.server == "":
		apierror.Write(w, apierror.New(http.StatusNotFound, CodeResourceNotFound, "Cannot find resource "+r.URL.Path+"."))
		return
	}
	m := x.match
	if m != nil && m.Operation != "" {
		if !s.authenticate(w, r, x, serverside.AuthSchemes(m), serverside.Anonymous(m)) {
			return
		}
	} else if !s.authenticate(w, r, x, serverside.ServerAuthSchemes(s.contract, x.server), false) {
		return
	}
	switch {
	case m == nil:
		apierror.Write(w, apierror.New(http.StatusNotFound, CodeResourceNotFound, "Cannot find resource "+r.URL.Path+"."))
		return
	case m.Operation == "":
		w.Header().Set("Allow", strings.Join(m.Allow, ", "))
		apierror.Write(w, apierror.New(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method "+r.Method+" is not allowed."))
		return
	}
	if f, ok := s.nextFault(); ok {
		x.fault = &f
		s.stats.fault()
		if f.Status != 0 && !f.AfterHandler {
			x.raw = writeFault(w, f)
			return
		}
	}
	remaining, wait, ok := s.limiter.take(x.resource)
	x.rlRemaining, x.rlSet = remaining, true
	if !ok {
		writeRetryAfter(w.Header(), wait)
		apierror.Write(w, apierror.New(http.StatusTooManyRequests, CodeRateLimited,
			fmt.Sprintf("Resource %s is limited to %d requests; retry in %d seconds.", r.URL.Path, s.limiter.capacity, wait)))
		return
	}
	mt, err := serverside.Negotiate(m, r.Header.Values("Accept"))
	if err != nil {
		apierror.Write(w, apierror.New(http.StatusNotAcceptable, CodeInvalidVersionDate,
			"Invalid accept header or version date: no version of this resource is acceptable."))
		return
	}
	x.mediaType = mt
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	if len(body) > 0 && len(r.Header.Values("Content-Type")) > 1 {
		// Two Content-Type headers leave the body's type ambiguous (RFC
		// 9110 makes it a singleton field), even when one of them is
		// right: two readers of the request could read two bodies.
		apierror.Write(w, apierror.New(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
			"Unsupported Content-Type: more than one Content-Type header."))
		return
	}
	if s.validate {
		req := &contract.Request{Method: r.Method, URL: r.URL, Header: r.Header, Body: body}
		if serverside.Refuse(w, m, serverside.CheckMatch(s.contract, m, &contract.Exchange{Request: req})) {
			return
		}
	}
	s.api.ServeHTTP(w, r)
	if f := x.fault; f != nil && f.Status != 0 && f.AfterHandler {
		w.reset()
		x.raw = writeFault(w, *f)
	}
}

// readBody reads the request body, at most the body cap, once: the
// contract validates these bytes and the handler decodes them. A larger
// body is answered 413 (the contract's assumed answer); one that ends
// before its Content-Length, 400.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := s.cfg.maxBodyBytes
	tooLarge := func() {
		e := apierror.New(http.StatusRequestEntityTooLarge, CodeValidation, fmt.Sprintf("The request body exceeds %d bytes.", limit))
		apierror.Write(w, apierror.WithFields(e, []server.FieldViolation{{Field: "/", Description: "request body too large"}}))
	}
	if r.ContentLength > limit {
		tooLarge()
		return nil, false
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	_ = r.Body.Close()
	switch {
	case int64(len(data)) > limit:
		tooLarge()
		return nil, false
	case err != nil:
		writeValidationError(w, "The request body could not be read.",
			server.FieldViolation{Field: "/", Description: "the body ended before its Content-Length"})
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	return data, true
}

// paramError answers a query or path parameter the generated wrappers
// could not bind (envelope=maybe) with a 400 naming it; the contract
// refuses such a request first, but in this package's benchmarks.
func paramError(w http.ResponseWriter, _ *http.Request, err error) {
	field := "request"
	var pe *server.InvalidParamFormatError
	if errors.As(err, &pe) {
		field = pe.ParamName
	}
	writeValidationError(w, "The request does not conform to the API specification.",
		server.FieldViolation{Field: field, Description: "not a valid value for this parameter"})
}

// requestError answers a body the strict server could not decode
// (malformed JSON, which the contract refuses first, but in this
// package's benchmarks).
func requestError(w http.ResponseWriter, _ *http.Request, _ error) {
	writeValidationError(w, "The request body is not valid JSON.",
		server.FieldViolation{Field: "/", Description: "malformed JSON"})
}

func responseError(w http.ResponseWriter, _ *http.Request, _ error) {
	apierror.Write(w, apierror.New(http.StatusInternalServerError, CodeUnexpected, "Unexpected error."))
}
