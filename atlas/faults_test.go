package atlas_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// The client against every fault atlastest can inject, on both operations.
// Each case checks what RetryPolicy's doc promises (a 429 is always retried;
// a 5xx, a timeout or a broken connection only for a remove; a remove's 404
// after an attempt of unknown outcome means the link is gone), the server's
// state afterwards, the waits asked for, that the call ended under its
// context deadline, and that no goroutine is left behind.

// fltCallDeadline bounds every call: far above what any case needs (waits
// are recorded, not slept), far below the test timeout.
const fltCallDeadline = 10 * time.Second

type fltLink int

const (
	fltUnchanged fltLink = iota // the link the setup made, same token
	fltReplaced                 // a link with a new token: the create was carried out
	fltGone                     // no link
)

type fltCase struct {
	name  string
	op    string // "create" or "delete"
	fault *atlastest.Fault
	times int // how many requests meet the fault (default 1)
	stale bool
	// ctxTimeout, if set, is the call's context deadline (a latency fault
	// past it); clientTimeout, the http.Client's timeout. Both are 1s, so
	// that a loaded machine cannot turn a normal exchange into a timeout.
	ctxTimeout, clientTimeout time.Duration
	// wantErr checks the error; nil wants success.
	wantErr  func(error) bool
	attempts int // authenticated requests the server answered
	waits    []time.Duration
	link     fltLink
	// cutAnswer: the fault cuts the answer's body, which the wire's
	// contract check rightly reports as not judged (contract's
	// TestTransportReportsABodyThatBrokeOff): the case runs without it.
	cutAnswer bool
}

func fltStatus(code int) func(error) bool {
	return func(err error) bool {
		var ae *atlas.APIError
		return errors.As(err, &ae) && ae.StatusCode == code
	}
}

func fltAnyError(err error) bool { return err != nil }

func fltDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }

func TestClientAgainstEveryInjectableFault(t *testing.T) {
	const slow = 30 * time.Second // a latency no call waits for
	f := func(x atlastest.Fault) *atlastest.Fault { return &x }
	cases := []fltCase{
		// 429: not carried out, always retried, Retry-After honoured.
		{name: "429", op: "create", fault: f(atlastest.Fault{Status: 429, RetryAfter: 2 * time.Second}),
			attempts: 2, waits: []time.Duration{2 * time.Second}, link: fltReplaced},
		{name: "429", op: "delete", fault: f(atlastest.Fault{Status: 429, RetryAfter: 2 * time.Second}),
			attempts: 2, waits: []time.Duration{2 * time.Second}, link: fltGone},
		{name: "429 every attempt", op: "create", fault: f(atlastest.Fault{Status: 429}), times: 4,
			wantErr: func(err error) bool { return errors.Is(err, atlas.ErrRateLimited) }, attempts: 4,
			waits: []time.Duration{time.Second, time.Second, 2 * time.Second}, link: fltUnchanged},
		{name: "429 every attempt", op: "delete", fault: f(atlastest.Fault{Status: 429}), times: 4,
			wantErr: func(err error) bool { return errors.Is(err, atlas.ErrRateLimited) }, attempts: 4,
			waits: []time.Duration{time.Second, time.Second, 2 * time.Second}, link: fltUnchanged},
		// 503 with Retry-After: a remove waits and repeats; a create is not
		// repeated, and the caller sees the Retry-After.
		{name: "503 with Retry-After", op: "create", fault: f(atlastest.Fault{Status: 503, RetryAfter: 3 * time.Second}),
			wantErr: func(err error) bool {
				var ae *atlas.APIError
				return errors.As(err, &ae) && ae.StatusCode == 503 && ae.RetryAfter == 3*time.Second
			}, attempts: 1, link: fltUnchanged},
		{name: "503 with Retry-After", op: "delete", fault: f(atlastest.Fault{Status: 503, RetryAfter: 3 * time.Second}),
			attempts: 2, waits: []time.Duration{3 * time.Second}, link: fltGone},
		{name: "503 every attempt", op: "delete", fault: f(atlastest.Fault{Status: 503}), times: 4,
			wantErr: fltStatus(503), attempts: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, link: fltUnchanged},
		// 500 before the work.
		{name: "500", op: "create", fault: f(atlastest.Fault{Status: 500}),
			wantErr: fltStatus(500), attempts: 1, link: fltUnchanged},
		{name: "500", op: "delete", fault: f(atlastest.Fault{Status: 500}),
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, link: fltGone},
		// 500 after the work: the create happened though the caller got an
		// error (why creates are not repeated); the remove's retry meets 404,
		// which after a 5xx means gone.
		{name: "500 after the work", op: "create", fault: f(atlastest.Fault{Status: 500, AfterHandler: true}),
			wantErr: fltStatus(500), attempts: 1, link: fltReplaced},
		{name: "500 after the work", op: "delete", fault: f(atlastest.Fault{Status: 500, AfterHandler: true}),
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, link: fltGone},
		// Latency past the call's context deadline: the call ends at the
		// deadline with the context's error and is not repeated (there is no
		// time left); the service carried the operation out before delaying.
		{name: "latency past the context deadline", op: "create", fault: f(atlastest.Fault{Latency: slow}), ctxTimeout: time.Second,
			wantErr: fltDeadline, attempts: 1, link: fltReplaced},
		{name: "latency past the context deadline", op: "delete", fault: f(atlastest.Fault{Latency: slow}), ctxTimeout: time.Second,
			wantErr: fltDeadline, attempts: 1, link: fltGone},
		// Latency past the HTTP client's timeout, with time left in the
		// context: a timeout, repeated for a remove only.
		{name: "latency past the client timeout", op: "create", fault: f(atlastest.Fault{Latency: slow}), clientTimeout: time.Second,
			wantErr: fltAnyError, attempts: 1, link: fltReplaced},
		{name: "latency past the client timeout", op: "delete", fault: f(atlastest.Fault{Latency: slow}), clientTimeout: time.Second,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, link: fltGone},
		// A connection cut midway through the headers, after the work.
		{name: "closed connection", op: "create", fault: f(atlastest.Fault{CloseConnection: true}),
			wantErr: fltAnyError, attempts: 1, link: fltReplaced},
		{name: "closed connection", op: "delete", fault: f(atlastest.Fault{CloseConnection: true}),
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, link: fltGone},
		// Half the body, with the full Content-Length. A remove's 204 has no
		// body to cut, so it succeeds.
		{name: "truncated body", op: "create", fault: f(atlastest.Fault{TruncateBody: true}),
			wantErr: fltAnyError, attempts: 1, link: fltReplaced, cutAnswer: true},
		{name: "truncated body", op: "delete", fault: f(atlastest.Fault{TruncateBody: true}),
			attempts: 1, link: fltGone},
		// Stale nonces: one more round trip, invisible to the caller.
		{name: "stale nonces", op: "create", stale: true, attempts: 1, link: fltReplaced},
		{name: "stale nonces", op: "delete", stale: true, attempts: 1, link: fltGone},
	}
	for _, tc := range cases {
		t.Run(tc.op+" "+tc.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			fltRun(t, tc)
			goleak.VerifyNone(t, ignore)
		})
	}
}

// fltRun runs one case on its own server and client and closes both before
// returning, so the caller can check for leftover goroutines.
func fltRun(t *testing.T, tc fltCase) {
	srv := testatlas.NewServer(t)
	defer srv.Close()
	var opts []atlas.Option
	if tc.clientTimeout > 0 {
		opts = append(opts, atlas.WithHTTPClient(&http.Client{Timeout: tc.clientTimeout}))
	}
	newClient := newTestClient
	if tc.cutAnswer {
		newClient = newLenientClient
	}
	c := newClient(t, srv, opts...)
	defer c.CloseIdleConnections()

	// The setup: a link (token t0) and a primed digest challenge.
	setupCtx, cancel := context.WithTimeout(context.Background(), fltCallDeadline)
	defer cancel()
	if _, err := c.CreateLinkToken(setupCtx, testOrg, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	t0, _ := srv.LinkToken(testOrg)
	srv.ResetStats()
	method := http.MethodPost
	if tc.op == "delete" {
		method = http.MethodDelete
	}
	before := c.wire.attempts(method)
	if tc.fault != nil {
		srv.InjectFault(max(tc.times, 1), *tc.fault)
	}
	if tc.stale {
		srv.ExpireNonces()
	}

	timeout := fltCallDeadline
	if tc.ctxTimeout > 0 {
		timeout = tc.ctxTimeout
	}
	ctx, cancelCall := context.WithTimeout(context.Background(), timeout)
	defer cancelCall()
	start := time.Now()
	var err error
	if tc.op == "create" {
		_, err = c.CreateLinkToken(ctx, testOrg, "192.0.2.10")
	} else {
		err = c.DeleteLinkToken(ctx, testOrg)
	}
	took := time.Since(start)
	if tc.wantErr == nil && err != nil {
		t.Errorf("err = %v, want success", err)
	}
	if tc.wantErr != nil && !tc.wantErr(err) {
		t.Errorf("err = %v, not the kind wanted", err)
	}
	// No unbounded wait: the call returned by its deadline (plus slack for
	// a loaded machine), long before the injected latency would have ended.
	if took > timeout+5*time.Second {
		t.Errorf("the call took %s with a %s deadline", took, timeout)
	}
	if !slices.Equal(c.sleeps.got(), tc.waits) {
		t.Errorf("waits %v, want %v", c.sleeps.got(), tc.waits)
	}
	// Attempts are counted on the wire as they are sent: a request the
	// client gave up on counts at once, whenever the server notices.
	if got := c.wire.attempts(method) - before; got != tc.attempts {
		t.Errorf("%d authenticated attempts, want %d", got, tc.attempts)
	}
	if st := srv.Stats(); tc.stale && st.StaleChallenges != 1 {
		t.Errorf("%d stale challenges, want 1", st.StaleChallenges)
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Errorf("%d faults never met a request", n)
	}

	tok, ok := srv.LinkToken(testOrg)
	switch tc.link {
	case fltUnchanged:
		if !ok || tok != t0 {
			t.Errorf("the link changed (present %v); the fault came before the work", ok)
		}
	case fltReplaced:
		if !ok || tok == t0 {
			t.Errorf("the create was not carried out (present %v, same token %v)", ok, tok == t0)
		}
	case fltGone:
		if ok {
			t.Error("the link is still there")
		}
	}
}
