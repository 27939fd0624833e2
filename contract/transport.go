package contract

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Transport is an http.RoundTripper that checks every link-token exchange
// passing through it against the contract. It reads each request and
// response body once, into memory, and hands on unread copies: the caller,
// and any transport below it, read exactly the bytes that were sent and
// received. Exchanges that are not link-token operations pass untouched.
type Transport struct {
	// Base carries the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Validator does the checking.
	Validator *Validator
	// Report receives the violations of each non-conforming exchange. It may
	// be called from several goroutines at once.
	Report func(Violations)
}

// NewTransport wraps base (nil: http.DefaultTransport) so that every
// link-token exchange is checked by v and each non-conforming one is passed
// to report.
//
// It works at either place in a stack of transports:
//   - on the wire, below authentication (what linktoken.WithWireTransport
//     does, and what the demo shows): every exchange is checked on its own,
//     the digest challenge included — a request without credentials
//     conforms when its answer is the 401 challenge;
//   - above authentication (the house order for a plain http.Client:
//     authentication innermost, then retries, then validation): the
//     credentials are read from the request the layers below actually sent
//     (http.Response.Request), so a digest handshake is checked as the 201
//     it ends in.
func NewTransport(v *Validator, base http.RoundTripper, report func(Violations)) *Transport {
	return &Transport{Base: base, Validator: v, Report: report}
}

// TestTransport is NewTransport for tests: a strict validator, and every
// violation fails t (with t.Errorf, so it is safe from any goroutine).
//
//	client := &http.Client{Transport: contract.TestTransport(t, nil)}
func TestTransport(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	v, err := New(Strict())
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	return NewTransport(v, base, func(vs Violations) {
		for _, x := range vs {
			t.Errorf("contract violation: %v", x)
		}
	})
}

// RoundTrip sends the request through Base and checks the exchange.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Validator == nil || !t.Validator.IsLinkToken(req.URL) {
		return base.RoundTrip(req)
	}
	// A RoundTripper must not change the caller's request; send a shallow
	// copy whose body is the buffered bytes and can be replayed (GetBody)
	// by a digest or retry layer below.
	var reqBody []byte
	sent := req
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = data
		sent = new(http.Request)
		*sent = *req
		sent.Body = io.NopCloser(bytes.NewReader(data))
		sent.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		sent.ContentLength = int64(len(data))
	}
	resp, err := base.RoundTrip(sent)
	if err != nil {
		return resp, err
	}
	var respBody []byte
	if resp.Body != nil && resp.Body != http.NoBody {
		respBody, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if err != nil {
			// The caller sees the same failure when it reads.
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{err}))
			return resp, nil
		}
	}
	header := req.Header
	if resp.Request != nil && resp.Request.Header != nil {
		header = resp.Request.Header
	}
	ex := &Exchange{
		Request:  &Request{Method: req.Method, URL: req.URL, Header: header, Body: reqBody},
		Response: &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: respBody},
	}
	vs, cerr := t.Validator.Check(ex)
	if cerr == nil && len(vs) > 0 && t.Report != nil {
		t.Report(vs)
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

var _ http.RoundTripper = (*Transport)(nil)
