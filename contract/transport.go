package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// Transport is an http.RoundTripper that checks every exchange of the
// contract passing through it. It reads each request and response body
// once, into memory, and hands on unread copies: the caller, and any
// transport below it, read exactly the bytes that were sent and received.
// Of a body larger than the validator reads (MaxBodyBytes), it keeps only
// that much and a byte more, streams the rest on unread, and reports the
// body as not judged (RuleBodyTooLarge), so memory stays bounded whatever
// the server sends. A response body that breaks off (the connection ends
// before the body does) is reported the same way, as not judged, and the
// caller gets the same failure when it reads.
// Exchanges that are not operations of the contract pass untouched.
type Transport struct {
	// Base carries the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Validator does the checking.
	Validator *Validator
	// Report receives the violations of each non-conforming exchange. It may
	// be called from several goroutines at once.
	Report func(Violations)
	// Notice, when set, receives the notices of each exchange that has any
	// (see Result.Notices). It may be called from several goroutines at once.
	Notice func(Violations)
}

// NewTransport wraps base (nil: http.DefaultTransport) so that every
// exchange of the contract is checked by v and each non-conforming one is
// passed to report.
//
// It works at either place in a stack of transports:
//   - on the wire, below authentication (what atlas.WithWireTransport
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

// TestTransport is NewTransport for tests: every violation fails t (with
// t.Errorf, so it is safe from any goroutine) and every notice is logged
// (t.Logf). opts configure the validator; Strict() makes notices fail too.
//
//	client := &http.Client{Transport: contract.TestTransport(t, nil)}
func TestTransport(t testing.TB, base http.RoundTripper, opts ...Option) *Transport {
	t.Helper()
	v, err := New(opts...)
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	tr := NewTransport(v, base, func(vs Violations) {
		for _, x := range vs {
			t.Errorf("contract violation: %v", x)
		}
	})
	tr.Notice = func(vs Violations) {
		for _, x := range vs {
			t.Logf("contract notice: %v", x)
		}
	}
	return tr
}

// RoundTrip sends the request through Base and checks the exchange.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Validator == nil {
		return base.RoundTrip(req)
	}
	var m Match
	if !t.Validator.match(req.Method, req.URL, &m) {
		return base.RoundTrip(req)
	}
	// A RoundTripper must not change the caller's request. When the request
	// can replay its body (GetBody, as every body from net/http's
	// constructors and from the client's digest layer can), the copy to
	// validate comes from there and the request goes down untouched;
	// otherwise a shallow copy is sent whose body is the buffered bytes, with
	// a GetBody so that a digest or retry layer below can replay it. Of any
	// body, at most the check's limit and one byte more is buffered: the
	// rest is streamed on unread (and the body not judged, which the check
	// says).
	limit := t.Validator.maxBody
	var reqBody []byte
	var reqCut bool
	sent := req
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody != nil {
			replay, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			reqBody, reqCut, err = readCapped(replay, limit)
			_ = replay.Close()
			if err != nil {
				return nil, err
			}
		} else {
			data, cut, err := readCapped(req.Body, limit)
			if err != nil {
				_ = req.Body.Close()
				return nil, err
			}
			reqBody, reqCut = data, cut
			sent = new(http.Request)
			*sent = *req
			if cut {
				// Too large to keep for a replay: sent once, as it came.
				sent.Body = prefixed(data, req.Body)
				sent.GetBody = nil
			} else {
				_ = req.Body.Close()
				sent.Body = io.NopCloser(bytes.NewReader(data))
				sent.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
				sent.ContentLength = int64(len(data))
			}
		}
	}
	resp, err := base.RoundTrip(sent)
	if err != nil {
		return resp, err
	}
	var respBody []byte
	var respCut bool
	var respNotJudged string // what the check cannot judge of the body, "" when whole
	if resp.Body != nil && resp.Body != http.NoBody {
		respBody, respCut, err = readCapped(resp.Body, limit)
		switch {
		case err != nil:
			// The caller sees the same failure when it reads; the check
			// sees a part, which it must not pass as the whole (a decoder
			// may well have read all it wanted before the failure).
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{err}))
			respNotJudged = fmt.Sprintf("the body broke off after %d bytes (not judged)", len(respBody))
		case respCut:
			resp.Body = prefixed(respBody, resp.Body)
			respNotJudged = notJudged(limit, true)
		default:
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(respBody))
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
	res := t.Validator.checkMatch(&m, ex)
	explainCut(ex, res, notJudged(limit, reqCut), respNotJudged)
	if len(res.Violations) > 0 && t.Report != nil {
		t.Report(res.Violations)
	}
	if len(res.Notices) > 0 && t.Notice != nil {
		t.Notice(res.Notices)
	}
	return resp, nil
}

// readCapped reads r into memory up to limit bytes and one more: cut
// reports that there was more (r is then left at that point), so that a
// body of any size costs at most limit+1 bytes.
func readCapped(r io.Reader, limit int64) (data []byte, cut bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, limit+1))
	return data, int64(len(data)) > limit, err
}

// prefixed is a body that yields the bytes already read, then the rest of
// body, and closes body.
func prefixed(read []byte, body io.ReadCloser) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(read), body), body}
}

// notJudged is what the body-size violation of a body the transport or the
// middleware cut says: it was not read past the limit, so not judged; ""
// for a body not cut.
func notJudged(limit int64, cut bool) string {
	if !cut {
		return ""
	}
	return fmt.Sprintf("more than %d bytes (read no further; not judged)", limit)
}

// explainCut says, in a body-size violation, what a reader knows of a
// body it did not read whole: request and response are that text for each
// side, "" for a body read whole (notJudged here, or a read that broke
// off in RoundTrip; contract/recorded's size as recorded). A body cut at
// the limit has that violation already, naming the length of the part
// kept, which the text replaces. A body that broke off, or was recorded
// in part, within the limit was judged as if it were whole: the violation
// is added, so that the exchange does not pass on a part. What was found
// in a part that broke off is kept, for what it tells; contract/recorded
// and the proxy drop what was found in a part a recorder kept, or past the
// proxy's cap, before they call this (internal/serverside's
// DropBodyFindings), as the recorder's doing, not the traffic's.
func explainCut(ex *Exchange, res *Result, request, response string) {
	for _, cut := range [...]struct {
		side  Side
		found string
	}{{SideRequest, request}, {SideResponse, response}} {
		if cut.found == "" {
			continue
		}
		said := false
		for _, x := range res.Violations {
			if x.Side == cut.side && x.Rule == RuleBodyTooLarge {
				x.Found, said = cut.found, true
			}
		}
		if !said {
			res.Violations = append(res.Violations, &Violation{Exchange: ex.Name(), Side: cut.side, Part: PartBody,
				Rule: RuleBodyTooLarge, Expected: "a body read to its end", Found: cut.found})
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

var _ http.RoundTripper = (*Transport)(nil)
