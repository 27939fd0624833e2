package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Middleware returns net/http middleware that checks a server's traffic
// against the contract.
//
// A request that breaks the contract is refused before it reaches next,
// with an Atlas-style ApiError whose badRequestDetail.fields names every
// offending field: 400 VALIDATION_ERROR, or 415 UNSUPPORTED_MEDIA_TYPE for
// a body in a media type the version does not take, or 405 for a method
// the path does not declare. Credentials are the exception: a request
// without them, or with malformed ones, goes on to next, whose
// authentication must answer the 401 digest challenge (which this
// middleware cannot build); it is reported if next answers otherwise.
//
// Every response next writes is passed through as it is written and
// copied on the side; when next returns, the exchange is checked and
// report (if non-nil) receives the violations of a non-conforming one.
// Requests that are not link-token operations pass untouched.
//
// The request half is ours rather than github.com/oapi-codegen/nethttp-middleware:
// that middleware routes with gorillamux under a single Prefix, while this
// contract serves two base paths (/api/atlas/v2, /api/atlas/v1.0) whose
// media types differ, and it knows none of the contract's own rules
// (x-atlas-media-type, well-formed credentials, strict properties).
func Middleware(v *Validator, report func(*http.Request, Violations)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !v.IsLinkToken(r.URL) {
				next.ServeHTTP(w, r)
				return
			}
			req, err := RequestFromHTTP(r)
			if err != nil {
				writeAPIError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The request body could not be read.", nil)
				return
			}
			ex := &Exchange{Request: req}
			c := checker{v: v, ex: ex}
			m, err := v.checkRequest(&c, req)
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			if refused := refuse(w, m, c.vs); refused {
				return
			}
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if report == nil || m.op == nil {
				return
			}
			ex.Response = &Response{StatusCode: rec.status(), Header: rec.header, Body: rec.body.Bytes()}
			if rec.header == nil {
				ex.Response.Header = w.Header()
			}
			v.checkResponse(&c, m, ex.Response)
			if m.anon && !m.op.anonymous && ex.Response.StatusCode != http.StatusUnauthorized {
				c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, expectedAuth(m.srv, m.op), "no Authorization header, answered "+strconv.Itoa(ex.Response.StatusCode)+" rather than the 401 challenge")
			}
			if len(c.vs) > 0 {
				report(r, c.vs)
			}
		})
	}
}

// refuse answers a non-conforming request and reports whether it did.
// Security violations alone do not refuse (see Middleware).
func refuse(w http.ResponseWriter, m matched, vs Violations) bool {
	var fields []fieldViolation
	status, code := http.StatusBadRequest, "VALIDATION_ERROR"
	for _, x := range vs {
		if x.Rule == RuleSecurity {
			continue
		}
		switch x.Rule {
		case RuleMethod:
			status, code = http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"
			w.Header().Set("Allow", x.Expected)
		case RuleContentType, RuleMediaType:
			if status == http.StatusBadRequest && m.op != nil && m.op.responses[http.StatusUnsupportedMediaType] != nil {
				status, code = http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"
			}
		}
		fields = append(fields, fieldViolation{Field: fieldName(x), Description: x.Rule + ": expected " + x.Expected + ", found " + x.Found})
	}
	if len(fields) == 0 {
		return false
	}
	detail := "The request does not conform to the API specification."
	writeAPIError(w, status, code, detail, fields)
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

type fieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

type apiError struct {
	Detail           string          `json:"detail"`
	Error            int             `json:"error"`
	ErrorCode        string          `json:"errorCode"`
	Parameters       []any           `json:"parameters"`
	Reason           string          `json:"reason"`
	BadRequestDetail *badRequestBody `json:"badRequestDetail,omitempty"`
}

type badRequestBody struct {
	Fields []fieldViolation `json:"fields"`
}

func writeAPIError(w http.ResponseWriter, status int, code, detail string, fields []fieldViolation) {
	body := apiError{Detail: detail, Error: status, ErrorCode: code, Reason: http.StatusText(status)}
	if fields != nil {
		body.BadRequestDetail = &badRequestBody{Fields: fields}
	}
	data, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Error-Code", code)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// recorder passes a response through and keeps a copy of its status,
// headers (as sent) and body.
type recorder struct {
	http.ResponseWriter
	code   int
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.WriteHeader(http.StatusOK)
	}
	r.body.Write(p)
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
