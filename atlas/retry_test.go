package atlas_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// op runs one operation of the client and reports its error.
type op struct {
	name string
	run  func(*atlas.Client) error
}

var (
	createOp = op{"create", func(c *atlas.Client) error {
		_, err := c.CreateLinkToken(context.Background(), testOrg, "192.0.2.10")
		return err
	}}
	deleteOp = op{"delete", func(c *atlas.Client) error { return c.DeleteLinkToken(context.Background(), testOrg) }}
)

// TestRetriesFollowTheSafetyRules: what RetryPolicy's documentation
// promises, call by call: the waits asked for (exact: no jitter), the
// attempts that reached the server, the retry events, reasons and log
// lines. (TestClientAgainstEveryInjectableFault covers the server's state
// after every fault; this table, the policy's arithmetic.)
func TestRetriesFollowTheSafetyRules(t *testing.T) {
	f429 := func(retryAfter time.Duration) atlastest.Fault {
		return atlastest.Fault{Status: 429, RetryAfter: retryAfter}
	}
	f503 := func(retryAfter time.Duration) atlastest.Fault {
		return atlastest.Fault{Status: 503, RetryAfter: retryAfter}
	}
	// A 429 without Retry-After, which the contract does not allow but a
	// proxy may send: a raw body.
	bare429 := atlastest.Fault{Status: 429, ContentType: "application/json", Body: apiErrorBody(429, "RATE_LIMITED")}
	hang := atlastest.Fault{Latency: time.Minute} // past the client's timeout
	cut := atlastest.Fault{CloseConnection: true}
	tests := []struct {
		name      string
		op        op
		faults    []atlastest.Fault
		unsafeOK  bool
		wantErr   bool
		attempts  int             // authenticated attempts of the operation
		waits     []time.Duration // exact waits (no jitter in tests)
		reasons   []string
		timeoutMS int // client timeout
	}{
		{name: "429 with Retry-After on create", op: createOp, faults: []atlastest.Fault{f429(3 * time.Second)},
			attempts: 2, waits: []time.Duration{3 * time.Second}, reasons: []string{"429 Too Many Requests"}},
		{name: "429 without Retry-After backs off exponentially", op: createOp,
			faults:   []atlastest.Fault{bare429, bare429, bare429},
			attempts: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "Retry-After past MaxRetryAfter ends the call with the 429, no earlier retry", op: deleteOp,
			faults: []atlastest.Fault{f429(time.Hour)}, wantErr: true, attempts: 1},
		{name: "Retry-After at MaxRetryAfter is waited out", op: deleteOp, faults: []atlastest.Fault{f429(time.Minute)},
			attempts: 2, waits: []time.Duration{time.Minute}},
		{name: "Retry-After shorter than the backoff waits the backoff", op: deleteOp,
			faults:   []atlastest.Fault{f503(0), f503(time.Second), f503(time.Second)},
			attempts: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "attempts are bounded", op: createOp,
			faults:  []atlastest.Fault{f429(time.Second), f429(time.Second), f429(time.Second), f429(time.Second), f429(time.Second)},
			wantErr: true, attempts: 4, waits: []time.Duration{time.Second, time.Second, 2 * time.Second}},
		{name: "503 on delete is retried honouring Retry-After", op: deleteOp, faults: []atlastest.Fault{f503(2 * time.Second)},
			attempts: 2, waits: []time.Duration{2 * time.Second}, reasons: []string{"503 Service Unavailable"}},
		{name: "503 on create is not repeated", op: createOp, faults: []atlastest.Fault{f503(2 * time.Second)},
			wantErr: true, attempts: 1},
		{name: "500 on create is not repeated", op: createOp, faults: []atlastest.Fault{{Status: 500}},
			wantErr: true, attempts: 1},
		{name: "500 on create with opt-in is repeated", op: createOp, faults: []atlastest.Fault{{Status: 500}}, unsafeOK: true,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}},
		{name: "500 on delete is repeated", op: deleteOp, faults: []atlastest.Fault{{Status: 500}},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"500 Internal Server Error"}},
		{name: "broken connection on create is not repeated", op: createOp, faults: []atlastest.Fault{cut},
			wantErr: true, attempts: 1},
		{name: "broken connection on delete is repeated", op: deleteOp, faults: []atlastest.Fault{cut},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"connection error"}},
		{name: "timeout on create is not repeated", op: createOp, faults: []atlastest.Fault{hang}, timeoutMS: 1000,
			wantErr: true, attempts: 1},
		{name: "timeout on delete is repeated", op: deleteOp, faults: []atlastest.Fault{hang}, timeoutMS: 1000,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"timeout"}},
		{name: "403 is never retried", op: deleteOp, faults: []atlastest.Fault{{Status: 403, ErrorCode: "USER_UNAUTHORIZED"}},
			wantErr: true, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testatlas.NewServer(t)
			s := &sleeper{}
			p := fastPolicy(s)
			p.RetryUnsafeCreate = tt.unsafeOK
			var events []atlas.RetryEvent
			p.OnRetry = func(e atlas.RetryEvent) { events = append(events, e) }
			var logs bytes.Buffer
			opts := []atlas.Option{atlas.WithRetryPolicy(p), atlas.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}
			if tt.timeoutMS > 0 {
				opts = append(opts, atlas.WithHTTPClient(&http.Client{Timeout: time.Duration(tt.timeoutMS) * time.Millisecond}))
			}
			c := newLenientClient(t, srv, opts...) // a 429 without Retry-After breaks the contract
			// A link to remove, and a primed digest challenge: every later
			// exchange is one attempt.
			if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
				t.Fatalf("setup: %v", err)
			}
			before := c.wire.attempts(methodOf(tt.op))
			for _, f := range tt.faults {
				srv.InjectFault(1, f)
			}
			err := tt.op.run(c.Client)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got := c.wire.attempts(methodOf(tt.op)) - before; got != tt.attempts {
				t.Errorf("%d attempts reached the server, want %d", got, tt.attempts)
			}
			if got := s.got(); !slices.Equal(got, tt.waits) {
				t.Errorf("waits %v, want %v", got, tt.waits)
			}
			if len(events) != len(tt.waits) {
				t.Errorf("%d retry events for %d waits", len(events), len(tt.waits))
			}
			for i, r := range tt.reasons {
				if i < len(events) && events[i].Reason != r {
					t.Errorf("event %d reason %q, want %q", i, events[i].Reason, r)
				}
			}
			if n := strings.Count(logs.String(), "linktoken: retrying"); n != len(tt.waits) {
				t.Errorf("%d retry log lines for %d retries:\n%s", n, len(tt.waits), logs.String())
			}
			if tt.wantErr && tt.attempts > 1 && !strings.Contains(err.Error(), "attempts") {
				t.Errorf("error %q does not say how many attempts were made", err)
			}
		})
	}
}

// TestRetryNeverSleepsPastTheDeadline: a Retry-After past the context's
// deadline ends the call with the 429 at once (not the context's error,
// which a wait would have met), and no wait is asked for.
func TestRetryNeverSleepsPastTheDeadline(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	srv.InjectFault(1, atlastest.Fault{Status: 429, RetryAfter: 30 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.CreateLinkToken(ctx, testOrg)
	if !errors.Is(err, atlas.ErrRateLimited) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the 429", err)
	}
	if len(c.sleeps.got()) != 0 {
		t.Errorf("asked to wait %v although Retry-After passes the deadline", c.sleeps.got())
	}
}

// TestRetryAfterPastTheCapEndsTheCall: a Retry-After longer than
// MaxRetryAfter is not cut short (a retry before the server's time only
// meets another 429): the call ends at once with the 429, whose RetryAfter
// tells the caller when to come back, and the log says why it stopped.
func TestRetryAfterPastTheCapEndsTheCall(t *testing.T) {
	srv := testatlas.NewServer(t)
	s := &sleeper{}
	var logs bytes.Buffer
	c := newTestClient(t, srv, atlas.WithRetryPolicy(fastPolicy(s)), atlas.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	srv.InjectFault(1, atlastest.Fault{Status: 429, RetryAfter: 2 * time.Minute})
	_, err := c.CreateLinkToken(context.Background(), testOrg)
	var ae *atlas.APIError
	if !errors.Is(err, atlas.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != 2*time.Minute {
		t.Fatalf("err = %v, want the 429 with its Retry-After of 2m", err)
	}
	if got := s.got(); len(got) != 0 {
		t.Errorf("asked to wait %v for a Retry-After past MaxRetryAfter", got)
	}
	if !strings.Contains(logs.String(), "not retrying: Retry-After is longer than") {
		t.Errorf("the log does not say why the call was not retried:\n%s", logs.String())
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	srv := testatlas.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	p := atlas.DefaultRetryPolicy()
	p.BaseDelay = time.Hour
	p.MaxDelay = time.Hour
	var once bool
	p.OnRetry = func(atlas.RetryEvent) {
		if !once {
			once = true
			cancel()
		}
	}
	c := newTestClient(t, srv, atlas.WithRetryPolicy(p))
	srv.InjectFault(1, atlastest.Fault{Status: 500})
	start := time.Now()
	err := c.DeleteLinkToken(ctx, testOrg)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	// The caller who cancelled sees it, and still the service's answer.
	var ae *atlas.APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.StatusCode != 500 {
		t.Errorf("err = %v, want it to match context.Canceled and the 500", err)
	}
}

func TestDefaultJitterStaysWithinHalfToFullBackoff(t *testing.T) {
	srv := testatlas.NewServer(t)
	s := &sleeper{}
	p := atlas.DefaultRetryPolicy()
	p.Sleep = s.sleep
	p.MaxAttempts = 2
	c := newTestClient(t, srv, atlas.WithRetryPolicy(p))
	for range 20 {
		srv.InjectFault(1, atlastest.Fault{Status: 500})
		_ = c.DeleteLinkToken(context.Background(), testOrg)
	}
	for _, w := range s.got() {
		if w < 250*time.Millisecond || w > 500*time.Millisecond {
			t.Errorf("wait %v outside [250ms, 500ms]", w)
		}
	}
	if len(s.got()) != 20 {
		t.Errorf("%d waits, want 20", len(s.got()))
	}
}

func methodOf(o op) string {
	if o.name == "create" {
		return http.MethodPost
	}
	return http.MethodDelete
}
