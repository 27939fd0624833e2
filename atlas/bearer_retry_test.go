package atlas_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestTokenEndpointBusyIsRetriedEvenForACreate: a 429 or a 5xx from the
// service account's token endpoint means the call itself was never sent,
// so repeating it is safe even for a create (RetryPolicy: "a 429 always").
// Only a refusal of the credentials (400, 401) is final.
//
// A token endpoint not reached (status 0 here: the connection is cut) is
// retried the same way, and the endpoint's Retry-After is honoured.
func TestTokenEndpointBusyIsRetriedEvenForACreate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int // 0: the connection is cut before any answer
		retryAfter string
		wait       time.Duration
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, "3", 3 * time.Second},
		{"503", http.StatusServiceUnavailable, "", 500 * time.Millisecond},
		{"500", http.StatusInternalServerError, "", 500 * time.Millisecond},
		{"no answer", 0, "", 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tokenRequests, creates atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isTokenRequest(r) {
					// oauth2 asks twice per fetch (credentials in a header,
					// then in the body): the first fetch fails whole.
					if tokenRequests.Add(1) <= 2 {
						if tc.status == 0 {
							conn, _, _ := w.(http.Hijacker).Hijack()
							_ = conn.Close()
							return
						}
						w.Header().Set("Content-Type", "application/json")
						if tc.retryAfter != "" {
							w.Header().Set("Retry-After", tc.retryAfter)
						}
						w.WriteHeader(tc.status)
						_, _ = io.WriteString(w, `{"error":"temporarily_unavailable"}`)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
					return
				}
				creates.Add(1)
				w.Header().Set("Content-Type", "application/vnd.atlas.2023-01-01+json")
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"linkToken":"ZXlK"}`)
			}))
			t.Cleanup(srv.Close)
			s := &sleeper{}
			c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithServiceAccount("mdb_sa_id_busy", "mdb_sa_sk_busy"),
				atlas.WithRetryPolicy(fastPolicy(s)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.CloseIdleConnections)
			if _, err := c.CreateLinkToken(context.Background(), testOrg); err != nil {
				t.Fatalf("create: %v", err)
			}
			if n, waits := creates.Load(), s.got(); n != 1 || len(waits) != 1 || waits[0] != tc.wait {
				t.Errorf("%d creates sent, waits %v: want 1 create after one wait of %v", n, waits, tc.wait)
			}
		})
	}
}

// isTokenRequest is a service account's token request.
func isTokenRequest(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/api/oauth/token") }

// TestTokenEndpoint429IsRateLimited: a 429 of the token endpoint that the
// policy does not retry ends the call with an error matching
// ErrRateLimited and carrying the endpoint's Retry-After.
func TestTokenEndpoint429IsRateLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"slow_down"}`)
	}))
	t.Cleanup(srv.Close)
	p := fastPolicy(&sleeper{})
	p.MaxAttempts = 1
	c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithServiceAccount("mdb_sa_id_busy", "mdb_sa_sk_busy"),
		atlas.WithRetryPolicy(p))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.CreateLinkToken(context.Background(), testOrg)
	var te *atlas.TokenError
	if !errors.Is(err, atlas.ErrRateLimited) || !errors.As(err, &te) || te.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v, want a TokenError matching ErrRateLimited with RetryAfter 7s", err)
	}
}
