package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

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
// (buffering both bodies, then Check) from network noise: the
// same create goes over an in-memory wire, in one run,
//   - direct: straight to the wire;
//   - validate-only: Check on the same exchange, no transport;
//   - validated: through NewTransport(strict validator);
//   - paired: one of each per op, interleaved so that drift hits all three
//     alike; added-ns/op is validated's time minus direct's, and
//     added/validator that over validate-only's: at most 1 means the
//     transport costs no more than the validator it runs.
func BenchmarkTransport(b *testing.B) {
	u, reqH, reqBody, respH, respBody := benchExchange()
	wire := benchCannedRT{header: respH, body: respBody}
	v := contract.MustNew(contract.Strict())
	call := func(b *testing.B, rt http.RoundTripper) {
		// Built as the generated client builds its requests: http.NewRequest,
		// which also sets GetBody so a digest layer can replay the body.
		req, err := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(reqBody))
		if err != nil {
			b.Fatal(err)
		}
		req.Header = reqH
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	validate := func(b *testing.B) {
		ex := &contract.Exchange{
			Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: reqBody},
			Response: &contract.Response{StatusCode: http.StatusCreated, Header: respH, Body: respBody},
		}
		if res, err := v.Check(ex); err != nil || !res.OK() {
			b.Fatal(err, res)
		}
	}
	violations := 0
	validated := contract.NewTransport(v, wire, func(contract.Violations) { violations++ })
	checked := func(b *testing.B) {
		if violations > 0 {
			b.Fatalf("%d violations on a conforming exchange", violations)
		}
	}

	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			call(b, wire)
		}
	})
	b.Run("validate-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			validate(b)
		}
	})
	b.Run("validated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			call(b, validated)
		}
		checked(b)
	})
	b.Run("paired", func(b *testing.B) {
		var directT, validateT, validatedT time.Duration
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			t0 := time.Now()
			call(b, wire)
			t1 := time.Now()
			validate(b)
			t2 := time.Now()
			call(b, validated)
			t3 := time.Now()
			directT, validateT, validatedT = directT+t1.Sub(t0), validateT+t2.Sub(t1), validatedT+t3.Sub(t2)
			n++
		}
		checked(b)
		added := validatedT - directT
		b.ReportMetric(float64(added)/float64(n), "added-ns/op")
		b.ReportMetric(float64(added)/float64(validateT), "added/validator")
	})
}
