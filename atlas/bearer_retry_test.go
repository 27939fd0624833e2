package atlas_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestTokenEndpointBusyIsRetriedEvenForACreate: a 429 or a 5xx from the
// service account's token endpoint means the call itself was never sent,
// so repeating it is safe even for a create (RetryPolicy: "a 429 always").
// Only a refusal of the credentials (400, 401) is final.
func TestTokenEndpointBusyIsRetriedEvenForACreate(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var tokenRequests, creates atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isTokenRequest(r) {
					// oauth2 asks twice per fetch (credentials in a header,
					// then in the body): the first fetch fails whole.
					if tokenRequests.Add(1) <= 2 {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
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
			if n := creates.Load(); n != 1 || len(s.got()) != 1 {
				t.Errorf("%d creates sent, waits %v: want 1 create after one wait", n, s.got())
			}
		})
	}
}

// isTokenRequest is a service account's token request.
func isTokenRequest(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/api/oauth/token") }
