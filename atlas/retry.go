package atlas

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds how the client repeats a call. The zero value of any
// field takes its default (see DefaultRetryPolicy).
//
// What is retried: a 429 always (the request was not carried out); a 503,
// another 5xx, a timeout or a broken connection only for a remove (which is
// idempotent) unless RetryUnsafeCreate is set, because a create that got one
// may have been carried out and a repeat would replace the token the first
// one issued. A 429 or 5xx from a service account's token endpoint is
// retried for both, as the call itself was never sent. Nothing else (4xx,
// wrong credentials) is retried.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt; 1 disables retries. Default 4.
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles each retry. Default 500ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff. Default 30s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out. A
	// longer one ends the call at once with the answer (its RetryAfter says
	// when to come back): retrying sooner than the server asked only meets
	// another 429, and MongoDB asks clients to wait at least Retry-After.
	// Default 60s.
	MaxRetryAfter time.Duration
	// RetryUnsafeCreate lets a create be repeated after a 5xx, a timeout or a
	// broken connection. Off by default: the first attempt may have succeeded.
	RetryUnsafeCreate bool
	// OnRetry, if set, is called before each wait.
	OnRetry func(RetryEvent)
	// Sleep waits d or until ctx ends; tests inject a fake. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter maps a backoff to the wait actually used; default: uniform in
	// [d/2, d]. Tests may inject the identity.
	Jitter func(d time.Duration) time.Duration
}

// DefaultRetryPolicy is the policy a Client uses unless told otherwise.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: 60 * time.Second}
}

// RetryEvent describes one retry about to happen.
type RetryEvent struct {
	// Operation is "create" or "delete".
	Operation string
	// Attempt is the attempt that failed (1 for the first).
	Attempt int
	// Reason is a short, secret-free cause: "429 Too Many Requests", "503
	// Service Unavailable", "timeout", "connection error".
	Reason string
	// StatusCode is the failed attempt's status, or 0 for a transport error.
	StatusCode int
	// RetryAfter is the server's Retry-After, or 0.
	RetryAfter time.Duration
	// Wait is how long the client sleeps before the next attempt.
	Wait time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	if p.Jitter == nil {
		p.Jitter = halfJitter
	}
	return p
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func halfJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// backoff is the exponential delay before retry number n (1-based), capped.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// classify decides whether a failed attempt may be repeated, and says why
// in ev's Reason, StatusCode and RetryAfter. idempotent is false for a create.
func (p RetryPolicy) classify(ctx context.Context, err error, idempotent bool) (retry bool, ev RetryEvent) {
	if ctx.Err() != nil {
		return false, RetryEvent{Reason: "context done"}
	}
	unsafeOK := idempotent || p.RetryUnsafeCreate
	if status := StatusCode(err); status != 0 {
		ev = RetryEvent{StatusCode: status, Reason: strconv.Itoa(status) + " " + statusText(status, "")}
		if ae := (*APIError)(nil); errors.As(err, &ae) {
			ev.RetryAfter = ae.RetryAfter
		}
		// A 429 was not carried out: repeating it is always safe.
		return status == http.StatusTooManyRequests || (status >= 500 && unsafeOK), ev
	}
	if errors.Is(err, ErrInvalidInput) {
		return false, RetryEvent{Reason: "invalid input"}
	}
	if errors.As(err, new(*redirectRefused)) {
		return false, RetryEvent{Reason: "redirect refused"}
	}
	if te := (*TokenError)(nil); errors.As(err, &te) {
		// The token endpoint was busy or out of reach: the call itself was
		// never sent, so repeating it is safe, a create's too.
		switch {
		case te.StatusCode == 0:
			return true, RetryEvent{Reason: "service-account token: no usable answer"}
		case te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500:
			return true, RetryEvent{StatusCode: te.StatusCode, RetryAfter: te.RetryAfter,
				Reason: "service-account token: " + strconv.Itoa(te.StatusCode) + " " + statusText(te.StatusCode, "")}
		}
		return false, RetryEvent{Reason: "service-account token refused"}
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return unsafeOK, RetryEvent{Reason: "timeout"}
	}
	return unsafeOK, RetryEvent{Reason: "connection error"}
}

// parseRetryAfter reads whole seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redirectRefused is the http.Client's redirect policy refusing to go on (a
// loop past ten redirects, or the caller's own CheckRedirect): the service
// answers the same way on every attempt, so the call is not repeated.
type redirectRefused struct{ err error }

func (e *redirectRefused) Error() string { return e.err.Error() }
func (e *redirectRefused) Unwrap() error { return e.err }

// refusalsFinal wraps a redirect policy (net/http's default when nil: at most
// ten) so that its refusals are told apart from a broken connection.
func refusalsFinal(check func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		var err error
		switch {
		case check != nil:
			err = check(req, via)
		case len(via) >= 10:
			err = errors.New("stopped after 10 redirects") // net/http's default policy, in its words
		}
		if err != nil && !errors.Is(err, http.ErrUseLastResponse) {
			return &redirectRefused{err}
		}
		return err
	}
}
