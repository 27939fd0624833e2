package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// roundTripFunc is an http.RoundTripper in a function: no network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endless yields n bytes of a JSON-looking body without holding them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n)
	for i := range p[:k] {
		p[i] = ' '
	}
	e.n -= k
	return int(k), nil
}

// TestTransportBuffersABoundedPrefix: a response larger than the check
// reads is not buffered whole. The transport keeps at most MaxBodyBytes+1
// bytes, says the body was not judged (a body-size violation, never a
// pass), and the caller still reads every byte.
func TestTransportBuffersABoundedPrefix(t *testing.T) {
	const limit, size = 1 << 20, 64 << 20
	for _, side := range []string{"response", "request"} {
		t.Run(side, func(t *testing.T) {
			v := contract.MustNew(contract.MaxBodyBytes(limit))
			var mu sync.Mutex
			var got contract.Violations
			sentBytes := int64(0)
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.Body != nil {
					n, err := io.Copy(io.Discard, r.Body)
					if err != nil {
						return nil, err
					}
					sentBytes = n
				}
				body := io.Reader(strings.NewReader(`{"linkToken":"t"}`))
				if side == "response" {
					body = &endless{size}
				}
				return &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {v2Type}}, Body: io.NopCloser(body), ContentLength: -1, Request: r}, nil
			})
			tr := contract.NewTransport(v, base, func(vs contract.Violations) {
				mu.Lock()
				got = append(got, vs...)
				mu.Unlock()
			})
			reqBody := io.Reader(bytes.NewReader(createBody))
			if side == "request" {
				reqBody = &endless{size}
			}
			req, _ := http.NewRequest(http.MethodPost, "https://cloud.mongodb.com/api/atlas/v2"+orgPath, io.NopCloser(reqBody))
			req.Header.Set("Content-Type", v2Type)
			req.Header.Set("Accept", v2Type)
			req.Header.Set("Authorization", digestHdr)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			// Bounded by the limit, not the body: checking the kept
			// megabyte allocates a few copies of it; the body is 64 times
			// larger, so a quarter of it leaves room for the process's
			// other allocations (TotalAlloc counts them) and still fails a
			// copy kept whole.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
				t.Errorf("allocated %d MiB for a %d MiB body", alloc>>20, size>>20)
			}
			if side == "response" && n != size || side == "request" && sentBytes != size {
				t.Errorf("passed on %d (response) / %d (request) bytes, want %d", n, sentBytes, size)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0].Rule != contract.RuleBodyTooLarge || string(got[0].Side) != side || !strings.Contains(got[0].Found, "not judged") {
				t.Errorf("violations %v; want one body-size violation on the %s saying it was not judged", got, side)
			}
		})
	}
}

// TestMiddlewareKeepsABoundedCopy: the middleware's copy of a response
// is bounded as the transport's is, and the report says the body was not
// judged.
func TestMiddlewareKeepsABoundedCopy(t *testing.T) {
	const limit, size = 1 << 20, 64 << 20
	v := contract.MustNew(contract.MaxBodyBytes(limit))
	var got contract.Violations
	h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) { got = res.Violations }))(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", v2Type)
			w.WriteHeader(201)
			_, _ = io.Copy(w, &endless{size})
		}))
	req, _ := http.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, bytes.NewReader(createBody))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h.ServeHTTP(discardWriter{http.Header{}}, req)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 { // as in TestTransportBuffersABoundedPrefix
		t.Errorf("allocated %d MiB for a %d MiB body", alloc>>20, size>>20)
	}
	if len(got) != 1 || got[0].Rule != contract.RuleBodyTooLarge || !strings.Contains(got[0].Found, "not judged") {
		t.Errorf("violations %v; want one body-size violation saying it was not judged", got)
	}
}

// discardWriter is an http.ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
