package conform_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

// TestAServerThatOnlyRateLimitsIsNotJudged: a service answering every
// request 429 never looked at one: no request is counted as accepted or
// refused by it (a positive case used to pass, a negative one to fail),
// the run says it could not judge, and stops after a few in a row. A
// Retry-After longer than the run waits is not cut short by an early
// retry: the request is tried once.
func TestAServerThatOnlyRateLimitsIsNotJudged(t *testing.T) {
	for _, tc := range []struct {
		retryAfter int
		tries      int // attempts of each request
		why        string
	}{
		{1, 3, "still answered 429 after 3 attempts"},
		{3600, 1, "longer than conform waits"},
	} {
		t.Run("Retry-After "+strconv.Itoa(tc.retryAfter), func(t *testing.T) {
			srv, svc := serve(t, func(http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Retry-After", strconv.Itoa(tc.retryAfter))
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = io.WriteString(w, `{"detail":"Resource is limited; retry later.","error":429,"errorCode":"RATE_LIMITED","parameters":[],"reason":"Too Many Requests"}`)
				})
			})
			o := options(t, srv, svc)
			var mu sync.Mutex
			var waits []time.Duration
			o.Sleep = func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, d)
				return nil
			}
			rep, err := conform.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != conform.VerdictNoAnswer || rep.Throttled == 0 || rep.Observations != 0 {
				t.Fatalf("verdict %s, %d throttled: %s", rep.Verdict, rep.Throttled, rep.Summary())
			}
			if !strings.Contains(rep.Summary(), "NOT JUDGED") || !strings.Contains(rep.Stopped, "in a row had no answer to judge") {
				t.Errorf("the summary does not say why: %s", rep.Summary())
			}
			for _, out := range rep.Outcomes {
				if !out.Throttled || !strings.Contains(out.Err, tc.why) {
					t.Errorf("%s %s: throttled %v, error %q, want %q", out.Kind, out.Case, out.Throttled, out.Err, tc.why)
				}
				for _, f := range out.Failures {
					t.Errorf("%s %s: a 429 failed %s: %s", out.Kind, out.Case, f.Check, f.Detail)
				}
			}
			if want := len(rep.Outcomes) * tc.tries; rep.Requests != want {
				t.Errorf("%d requests for %d cases, want %d", rep.Requests, len(rep.Outcomes), want)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, w := range waits {
				if w > 30*time.Second {
					t.Errorf("asked to wait %s", w)
				}
			}
			if tc.tries == 1 && len(waits) != 0 {
				t.Errorf("waited %v for a Retry-After past what the run waits, then retried early", waits)
			}
		})
	}
}
