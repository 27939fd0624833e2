package atlastest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
)

// Fault is what to do to one authenticated request instead of (or after)
// answering it normally. Faults are queued with [Service.InjectFault] and
// taken in order by the next authenticated requests to the contract's
// operations, so a client's digest handshake still completes and the call
// itself meets the fault.
type Fault struct {
	// Status, if non-zero, answers with this status and the contract's
	// ApiError for it (RATE_LIMITED for a 429, SERVICE_UNAVAILABLE for a
	// 503, UNEXPECTED_ERROR otherwise, unless ErrorCode says). A 429 always
	// carries Retry-After.
	Status int
	// ErrorCode, if set, replaces the errorCode of Status's error body and
	// its X-Error-Code header (a 403 USER_UNAUTHORIZED, a 409 …).
	ErrorCode string
	// Body, if set, is sent with Status instead of an error body, verbatim:
	// with ContentType and Header only (no Retry-After unless Header has
	// one), never enveloped, pretty-printed or given a charset. For a
	// client's handling of answers the service should never send (an HTML
	// 502, a 201 that is not JSON, an error whose errorCode is null, a 429
	// without Retry-After).
	Body        string
	ContentType string
	// Header holds headers added to the faulted response (X-Error-Code
	// beside a Body, say).
	Header http.Header
	// RetryAfter, sent in whole seconds with a 503 or 429 (429 defaults to
	// 1s), unless the fault has a Body.
	RetryAfter time.Duration
	// AfterHandler carries the operation out before answering with Status,
	// like a service that did the work but failed to say so.
	AfterHandler bool
	// Latency delays the response; the operation is carried out first, so a
	// client that gives up waiting does not know it happened. The delay
	// ends early if the client goes away, and it extends the connection's
	// deadlines so it never turns into a cut connection.
	Latency time.Duration
	// CloseConnection carries the operation out, then closes the connection
	// midway through the response headers.
	CloseConnection bool
	// TruncateBody carries the operation out and sends the headers, with the
	// full Content-Length, but only half the body.
	TruncateBody bool
}

func (f Fault) String() string {
	var parts []string
	if f.Status != 0 {
		parts = append(parts, fmt.Sprintf("status=%d", f.Status))
	}
	if f.ErrorCode != "" {
		parts = append(parts, "code="+f.ErrorCode)
	}
	if f.Body != "" {
		parts = append(parts, "raw-body")
	}
	if f.AfterHandler {
		parts = append(parts, "after-handler")
	}
	if f.Latency > 0 {
		parts = append(parts, "latency="+f.Latency.String())
	}
	if f.CloseConnection {
		parts = append(parts, "close")
	}
	if f.TruncateBody {
		parts = append(parts, "truncate")
	}
	return strings.Join(parts, ",")
}

type faultQueue struct {
	mu sync.Mutex
	q  []Fault
}

func (q *faultQueue) push(n int, f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for range n {
		q.q = append(q.q, f)
	}
}

func (q *faultQueue) next() (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.q) == 0 {
		return Fault{}, false
	}
	f := q.q[0]
	q.q = q.q[1:]
	return f, true
}

func (q *faultQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.q)
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.q = nil
}

// writeFault answers with the fault's status and the contract's error
// body, or the fault's own body; it reports whether that body is raw (to
// be sent as it is).
func writeFault(w http.ResponseWriter, f Fault) (raw bool) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if f.Body != "" {
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return true
	}
	if f.Status == http.StatusTooManyRequests || f.Status == http.StatusServiceUnavailable && f.RetryAfter > 0 {
		writeRetryAfter(w.Header(), retryAfter(f.RetryAfter))
	}
	code, detail := CodeUnexpected, "Unexpected error."
	switch f.Status {
	case http.StatusTooManyRequests:
		code, detail = CodeRateLimited, "Resource is limited; retry later."
	case http.StatusServiceUnavailable:
		code, detail = CodeServiceUnavailable, "The service is temporarily unavailable; retry later."
	}
	if f.ErrorCode != "" {
		code, detail = f.ErrorCode, "Injected "+http.StatusText(f.Status)+"."
	}
	apierror.Write(w, apierror.New(f.Status, code, detail))
	return false
}

// randomFaults draws a fault for a share of requests from a seeded
// generator: the sequence of draws is fixed by the seed, though which
// request meets which draw depends on the order requests arrive in.
type randomFaults struct {
	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	faults []Fault
}

func (r *randomFaults) draw() (Fault, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rng.Float64() >= r.rate {
		return Fault{}, false
	}
	return r.faults[r.rng.IntN(len(r.faults))], true
}

// WithRandomFaults makes each authenticated request to an operation of the
// contract that finds no queued fault (see [Service.InjectFault]) meet,
// with probability rate, one of faults picked uniformly, from a generator
// seeded with seed. For load tests: random 429s and 503s that a client must
// ride out. [Stats.Faults] counts the faults met, queued and random.
func WithRandomFaults(seed uint64, rate float64, faults ...Fault) Option {
	return func(c *config) error {
		if !(rate > 0 && rate <= 1) {
			return fmt.Errorf("atlastest: random fault rate %v: want more than 0 and at most 1", rate)
		}
		if len(faults) == 0 {
			return fmt.Errorf("atlastest: random faults need at least one fault")
		}
		c.randomFaults = &randomFaults{
			rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
			rate:   rate,
			faults: append([]Fault(nil), faults...),
		}
		return nil
	}
}

// nextFault is the queued fault for this request, else a random one.
func (s *Service) nextFault() (Fault, bool) {
	if f, ok := s.faults.next(); ok {
		return f, true
	}
	if s.cfg.randomFaults != nil {
		return s.cfg.randomFaults.draw()
	}
	return Fault{}, false
}
