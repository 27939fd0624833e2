package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// benchCannedRT is a wire without a network: it drains the request body and
// answers benchExchange's 201, so a benchmark over it sees only the cost of
// the layers above.
type benchCannedRT struct {
	header http.Header
	body   []byte
}

func (c benchCannedRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusCreated, Header: c.header, Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: req}, nil
}

// BenchmarkTransport isolates what contract.NewTransport adds to a call
// (buffering both bodies, then ValidateExchange) from network noise: the
// same create goes over an in-memory wire, in one run,
//   - direct: straight to the wire;
//   - validate-only: ValidateExchange on the same exchange, no transport;
//   - validated: through NewTransport(strict validator).
//
// On validated, added-ns/op is its ns/op minus direct's, and
// added/validator that over validate-only's ns/op: at most about 1 means the
// transport costs no more than the validator it runs.
func BenchmarkTransport(b *testing.B) {
	u, reqH, reqBody, respH, respBody := benchExchange()
	wire := benchCannedRT{header: respH, body: respBody}
	v := contract.MustNew(contract.Strict())
	call := func(b *testing.B, rt http.RoundTripper) {
		req := &http.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: io.NopCloser(bytes.NewReader(reqBody)),
			ContentLength: int64(len(reqBody)), Host: u.Host}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	perOp := func(b *testing.B, n int) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(n) }
	var directNs, validatorNs float64

	b.Run("direct", func(b *testing.B) {
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			call(b, wire)
			n++
		}
		directNs = perOp(b, n)
	})

	b.Run("validate-only", func(b *testing.B) {
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			ex := &contract.Exchange{
				Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: reqBody},
				Response: &contract.Response{StatusCode: http.StatusCreated, Header: respH, Body: respBody},
			}
			if err := v.ValidateExchange(ex); err != nil {
				b.Fatal(err)
			}
			n++
		}
		validatorNs = perOp(b, n)
	})

	b.Run("validated", func(b *testing.B) {
		violations := 0
		rt := contract.NewTransport(v, wire, func(contract.Violations) { violations++ })
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			call(b, rt)
			n++
		}
		if violations > 0 {
			b.Fatalf("%d violations on a conforming exchange", violations)
		}
		if directNs > 0 && validatorNs > 0 {
			added := perOp(b, n) - directNs
			b.ReportMetric(added, "added-ns/op")
			b.ReportMetric(added/validatorNs, "added/validator")
		}
	})
}
