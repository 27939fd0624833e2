package atlas_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
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

func TestRetriesFollowTheSafetyRules(t *testing.T) {
	tests := []struct {
		name      string
		op        op
		faults    []fault
		unsafeOK  bool
		wantErr   bool
		attempts  int             // authenticated attempts of the operation
		waits     []time.Duration // exact waits (no jitter in tests)
		reasons   []string
		timeoutMS int // client timeout
	}{
		{name: "429 with Retry-After on create", op: createOp, faults: []fault{failWith(429, "RATE_LIMITED", "3")},
			attempts: 2, waits: []time.Duration{3 * time.Second}, reasons: []string{"429 Too Many Requests"}},
		{name: "429 without Retry-After backs off exponentially", op: createOp,
			faults:   []fault{failWith(429, "RATE_LIMITED", ""), failWith(429, "RATE_LIMITED", ""), failWith(429, "RATE_LIMITED", "")},
			attempts: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "Retry-After is capped", op: deleteOp, faults: []fault{failWith(429, "RATE_LIMITED", "3600")},
			attempts: 2, waits: []time.Duration{time.Minute}},
		{name: "Retry-After shorter than the backoff waits the backoff", op: deleteOp,
			faults:   []fault{failWith(503, "SERVICE_UNAVAILABLE", "0"), failWith(503, "SERVICE_UNAVAILABLE", "1"), failWith(503, "SERVICE_UNAVAILABLE", "1")},
			attempts: 4, waits: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{name: "attempts are bounded", op: createOp,
			faults:  []fault{failWith(429, "RATE_LIMITED", "1"), failWith(429, "RATE_LIMITED", "1"), failWith(429, "RATE_LIMITED", "1"), failWith(429, "RATE_LIMITED", "1"), failWith(429, "RATE_LIMITED", "1")},
			wantErr: true, attempts: 4, waits: []time.Duration{time.Second, time.Second, 2 * time.Second}},
		{name: "503 on delete is retried honouring Retry-After", op: deleteOp, faults: []fault{failWith(503, "SERVICE_UNAVAILABLE", "2")},
			attempts: 2, waits: []time.Duration{2 * time.Second}, reasons: []string{"503 Service Unavailable"}},
		{name: "503 on create is not repeated", op: createOp, faults: []fault{failWith(503, "SERVICE_UNAVAILABLE", "2")},
			wantErr: true, attempts: 1},
		{name: "500 on create is not repeated", op: createOp, faults: []fault{failWith(500, "UNEXPECTED_ERROR", "")},
			wantErr: true, attempts: 1},
		{name: "500 on create with opt-in is repeated", op: createOp, faults: []fault{failWith(500, "UNEXPECTED_ERROR", "")}, unsafeOK: true,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}},
		{name: "500 on delete is repeated", op: deleteOp, faults: []fault{failWith(500, "UNEXPECTED_ERROR", "")},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"500 Internal Server Error"}},
		{name: "broken connection on create is not repeated", op: createOp, faults: []fault{cut()},
			wantErr: true, attempts: 1},
		{name: "broken connection on delete is repeated", op: deleteOp, faults: []fault{cut()},
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"connection error"}},
		{name: "timeout on create is not repeated", op: createOp, faults: []fault{hang()}, timeoutMS: 1000,
			wantErr: true, attempts: 1},
		{name: "timeout on delete is repeated", op: deleteOp, faults: []fault{hang()}, timeoutMS: 1000,
			attempts: 2, waits: []time.Duration{500 * time.Millisecond}, reasons: []string{"timeout"}},
		{name: "403 is never retried", op: deleteOp, faults: []fault{failWith(403, "USER_UNAUTHORIZED", "")},
			wantErr: true, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAtlas(t)
			f.setLink(testOrg, "x")
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
			c, _ := newFakeClient(t, f, opts...)
			// Prime the digest cache so every later exchange is one attempt.
			if err := c.DeleteLinkToken(context.Background(), "000000000000000000000000"); !errors.Is(err, atlas.ErrNotFound) {
				t.Fatalf("priming: %v", err)
			}
			before := f.authorizedCount(methodOf(tt.op))
			f.push(tt.faults...)
			err := tt.op.run(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got := f.authorizedCount(methodOf(tt.op)) - before; got != tt.attempts {
				t.Errorf("%d attempts reached the server, want %d", got, tt.attempts)
			}
			if got := s.got(); !equalDurations(got, tt.waits) {
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

func TestRetryNeverSleepsPastTheDeadline(t *testing.T) {
	f := newFakeAtlas(t)
	c, s := newFakeClient(t, f)
	f.push(failWith(429, "RATE_LIMITED", "30"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.CreateLinkToken(ctx, testOrg)
	if !errors.Is(err, atlas.ErrRateLimited) {
		t.Fatalf("err = %v, want the 429", err)
	}
	if len(s.got()) != 0 || time.Since(start) > time.Second {
		t.Errorf("slept %v (took %v) although Retry-After passes the deadline", s.got(), time.Since(start))
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	f := newFakeAtlas(t)
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
	c, _ := newFakeClient(t, f, atlas.WithRetryPolicy(p))
	f.push(failWith(500, "UNEXPECTED_ERROR", ""))
	start := time.Now()
	err := c.DeleteLinkToken(ctx, testOrg)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestDefaultJitterStaysWithinHalfToFullBackoff(t *testing.T) {
	f := newFakeAtlas(t)
	s := &sleeper{}
	p := atlas.DefaultRetryPolicy()
	p.Sleep = s.sleep
	p.MaxAttempts = 2
	c, _ := newFakeClient(t, f, atlas.WithRetryPolicy(p))
	for range 20 {
		f.push(failWith(500, "UNEXPECTED_ERROR", ""))
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

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
