package atlastest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is what to do to one authenticated request instead of (or after)
// answering it normally. Faults are queued with [Service.InjectFault] and
// taken in order by the next authenticated requests to the link-token
// operations, so a client's digest handshake still completes and the call
// itself meets the fault.
type Fault struct {
	// Status, if non-zero, answers with this error status (500, 503 or 429)
	// and the contract's ApiError for it. A 429 always carries Retry-After.
	Status int
	// RetryAfter, sent in whole seconds with a 503 or 429 (429 defaults to 1s).
	RetryAfter time.Duration
	// AfterHandler carries the operation out before answering with Status,
	// like a service that did the work but failed to say so.
	AfterHandler bool
	// Latency delays the response.
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

// writeFault answers with the fault's status and the contract's error body.
func writeFault(w http.ResponseWriter, f Fault) {
	secs := int((f.RetryAfter + time.Second - 1) / time.Second)
	switch f.Status {
	case http.StatusTooManyRequests:
		writeRetryAfter(w.Header(), max(1, secs))
		writeAPIError(w, newAPIError(f.Status, CodeRateLimited, "Resource is limited; retry later."))
	case http.StatusServiceUnavailable:
		if f.RetryAfter > 0 {
			writeRetryAfter(w.Header(), secs)
		}
		writeAPIError(w, newAPIError(f.Status, CodeServiceUnavailable, "The service is temporarily unavailable; retry later."))
	default:
		writeAPIError(w, newAPIError(f.Status, CodeUnexpected, "Unexpected error."))
	}
}
