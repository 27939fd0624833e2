package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/seed-5c49e0d7/linktoken/contract/internal/coding"
	generated "github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
	"github.com/seed-5c49e0d7/linktoken/internal/wire"
)

// DefaultMiddlewareBodyLimit caps a request body Middleware reads: the
// largest legitimate request of this API is a few kilobytes.
const DefaultMiddlewareBodyLimit = 1 << 20

// MiddlewareOption configures Middleware.
type MiddlewareOption func(*middlewareConfig)

type middlewareConfig struct {
	report func(*http.Request, *Result)
	limit  int64
}

// ReportTo has Middleware pass the verdict on every exchange that has a
// violation or a notice to report, once the handler has answered. report
// may be called from many goroutines at once.
func ReportTo(report func(*http.Request, *Result)) MiddlewareOption {
	return func(c *middlewareConfig) { c.report = report }
}

// RequestBodyLimit caps the request bodies Middleware reads (default
// DefaultMiddlewareBodyLimit); a larger one is answered 413 in the Atlas
// error shape, without reaching the handler.
func RequestBodyLimit(n int64) MiddlewareOption {
	return func(c *middlewareConfig) {
		if n > 0 {
			c.limit = n
		}
	}
}

// Middleware returns net/http middleware that checks a server's traffic
// against the contract.
//
// A request that breaks the contract is refused before it reaches next,
// with an Atlas-style ApiError whose badRequestDetail.fields names every
// offending field (the first 100 of them, the detail saying how many more
// there were): 400 VALIDATION_ERROR, 415 UNSUPPORTED_MEDIA_TYPE for a body
// in a media type the operation does not take (where the operation
// declares 415), 405 for a method the path does not declare, 413 for a body
// over the limit. Credentials are the exception: a request without them,
// or with malformed ones, goes on to next, whose authentication must answer
// the 401 challenge (which this middleware cannot build); with ReportTo,
// malformed ones are reported, and missing ones if next answers otherwise.
// A request without credentials that lacks its body goes on to next too
// (curl sends the handshake's first request so): the body is required of
// it unless next answers with the challenge (or a 429 or 503, which may
// come before authentication). Notices (an undeclared query parameter)
// never refuse a request.
//
// Every response next writes is passed through as it is written and
// copied on the side; with ReportTo, the response is then checked, with
// the rules that read both halves, and the whole exchange's verdict
// reported (the request is judged once, before next).
// Requests that are not operations of the contract pass untouched.
//
// The request half is this package's rather than
// github.com/oapi-codegen/nethttp-middleware's: that middleware routes
// under a single Prefix, while this contract serves two base paths whose
// media types differ, and it knows none of the contract's own rules.
func Middleware(v *Validator, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	cfg := middlewareConfig{limit: DefaultMiddlewareBodyLimit}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m, err := v.Match(r.Method, r.URL)
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			req, err := readLimitedRequest(r, cfg.limit)
			if err != nil {
				if errors.Is(err, coding.ErrTooLarge) {
					e := apierror.New(http.StatusRequestEntityTooLarge, wire.CodeValidation, fmt.Sprintf("The request body exceeds %d bytes.", cfg.limit))
					apierror.Write(w, apierror.WithFields(e,
						[]generated.FieldViolation{{Field: "/", Description: RuleBodyTooLarge + ": expected at most " + strconv.FormatInt(cfg.limit, 10) + " bytes"}}))
					return
				}
				apierror.Write(w, apierror.New(http.StatusBadRequest, wire.CodeValidation, "The request body could not be read."))
				return
			}
			c := v.checkRequest(m, &Exchange{Request: req})
			if refuse(w, m, c.requestVerdict()) {
				return
			}
			if cfg.report == nil {
				next.ServeHTTP(w, r)
				return
			}
			rec := &recorder{ResponseWriter: w, limit: v.maxBody}
			next.ServeHTTP(rec, r)
			header := rec.header
			if header == nil {
				header = w.Header()
			}
			// The request is not judged again: the response and the rules
			// that read both halves (handshake, envelope, version) are.
			full := c.answer(&Response{StatusCode: rec.status(), Header: header, Body: rec.body.Bytes()})
			explainCut(c.ex, full, "", notJudged(v.maxBody, int64(rec.body.Len()) > v.maxBody))
			if len(full.Violations) > 0 || len(full.Notices) > 0 {
				cfg.report(r, full)
			}
		})
	}
}

// readLimitedRequest captures r, reading at most limit bytes of its body;
// the body is replaced by an unread copy.
func readLimitedRequest(r *http.Request, limit int64) (*Request, error) {
	if r.ContentLength > limit {
		return nil, coding.ErrTooLarge
	}
	if r.Body != nil && r.Body != http.NoBody {
		data, cut, err := readCapped(r.Body, limit)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		if cut {
			return nil, coding.ErrTooLarge
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		return &Request{Method: r.Method, URL: r.URL, Header: r.Header, Body: data}, nil
	}
	return &Request{Method: r.Method, URL: r.URL, Header: r.Header}, nil
}

// refuse answers a non-conforming request and reports whether it did.
// Security violations alone do not refuse (see Middleware).
func refuse(w http.ResponseWriter, m *Match, res *Result) bool {
	var fields []generated.FieldViolation
	status, code := http.StatusBadRequest, wire.CodeValidation
	for _, x := range res.Violations {
		if x.Rule == RuleSecurity || x.Rule == RuleOmitted && x.Expected != stoppedExpected {
			// An omitted entry counting the rest is the detail's count; one
			// saying listing stopped at the first is listed, having none.
			continue
		}
		switch x.Rule {
		case RuleMethod:
			status, code = http.StatusMethodNotAllowed, wire.CodeMethodNotAllowed
			w.Header().Set("Allow", x.Expected)
		case RuleContentType, RuleMediaType:
			if status == http.StatusBadRequest && m.op != nil && m.op.status(http.StatusUnsupportedMediaType) != nil {
				status, code = http.StatusUnsupportedMediaType, wire.CodeUnsupportedMedia
			}
		case RuleBodyTooLarge:
			status = http.StatusRequestEntityTooLarge
		}
		fields = append(fields, generated.FieldViolation{Field: fieldName(x), Description: x.Rule + ": expected " + x.Expected + ", found " + x.Found})
	}
	if len(fields) == 0 {
		return false
	}
	apierror.Write(w, apierror.Refusal(status, code, fields, len(fields)+res.MoreViolations))
	return true
}

// fieldName is a FieldViolation's field: a parameter or header name, or a
// JSON pointer into the body.
func fieldName(x *Violation) string {
	switch x.Part {
	case PartBody:
		if x.Pointer == "" {
			return "/"
		}
		return x.Pointer
	case PartMethod:
		return "method"
	}
	if len(x.Pointer) > 1 {
		return x.Pointer[1:]
	}
	return string(x.Part)
}

// recorder passes a response through and keeps a copy of its status,
// headers (as sent) and body: of the body, at most limit bytes and one
// more, which is all a check reads.
type recorder struct {
	http.ResponseWriter
	code   int
	header http.Header
	body   bytes.Buffer
	limit  int64
}

func (r *recorder) WriteHeader(code int) {
	// An informational status (103 Early Hints) goes before the answer, as
	// net/http sends it: the answer is the status that follows.
	if r.code == 0 && !rfc9110.Informational(code) {
		r.code = code
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if room := r.limit + 1 - int64(r.body.Len()); room > 0 {
		r.body.Write(p[:min(int64(len(p)), room)])
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the real writer (Flush, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
