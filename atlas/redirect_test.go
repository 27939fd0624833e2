package atlas_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestCredentialsNeverFollowARedirect: a service root that redirects to
// another server (another host, or another port of this one) leads the
// client's http.Client there, as it follows redirects by default; the
// other server never gets a credential: no answer to its digest
// challenge (which would let it try private keys offline), no bearer
// token.
func TestCredentialsNeverFollowARedirect(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="b3RoZXI=", algorithm=MD5, qop="auth"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`)
	}))
	t.Cleanup(other.Close)
	root := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/api/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"dG9rZW4tZm9yLXRoZS1yb290","token_type":"Bearer","expires_in":3600}`)
			return
		}
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(root.Close)
	for name, creds := range map[string]atlas.Option{
		"digest":          atlas.WithDigest("pub", "priv"),
		"service account": atlas.WithServiceAccount("mdb_sa_id_x", "mdb_sa_sk_x"),
	} {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			createAtRedirectingRoot(t, root.URL, creds)
			mu.Lock()
			defer mu.Unlock()
			if len(seen) == 0 {
				t.Fatal("the redirect was not followed: the test proves nothing")
			}
			for _, a := range seen {
				if a != "" {
					t.Errorf("the other server got Authorization: %s", strings.SplitN(a, " ", 2)[0]+" …")
				}
			}
		})
	}
}

// TestTheClientSecretNeverFollowsARedirect: a token endpoint that
// redirects to another server does not get the service account's secret
// sent there, neither in a Basic credential nor in the form that
// golang.org/x/oauth2 falls back to when the first is refused.
func TestTheClientSecretNeverFollowsARedirect(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
	}))
	t.Cleanup(other.Close)
	root := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(root.Close)
	createAtRedirectingRoot(t, root.URL, atlas.WithServiceAccount("mdb_sa_id_x", "mdb_sa_sk_x"))
	mu.Lock()
	defer mu.Unlock()
	for _, s := range seen {
		if strings.Contains(s, "mdb_sa_sk_x") || strings.Contains(s, "Basic ") {
			t.Errorf("the other server got the client secret (%d bytes of request)", len(s))
		}
	}
}

// createAtRedirectingRoot asks a service at root that only redirects for a
// link-token, once (no retry), and fails t unless the call fails.
func createAtRedirectingRoot(t *testing.T, root string, creds atlas.Option) {
	t.Helper()
	c, err := atlas.NewClient(atlas.WithBaseURL(root), creds, atlas.WithRetryPolicy(atlas.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLinkToken(context.Background(), testOrg, "192.0.2.10"); err == nil {
		t.Fatal("no error from a service that only redirects")
	}
}

// TestARedirectLoopIsNotRetried: a service root that redirects to itself
// for ever (a misconfigured front end) fails the same way on every
// attempt: a remove, which is retried after a broken connection, is sent
// through the loop once (net/http stops it after ten redirects), not once
// per attempt of the retry policy.
func TestARedirectLoopIsNotRetried(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	var waits int
	c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithDigest("pub", "priv"),
		atlas.WithRetryPolicy(atlas.RetryPolicy{MaxAttempts: 4, Sleep: func(context.Context, time.Duration) error { waits++; return nil }}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.DeleteLinkToken(context.Background(), testOrg)
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("err = %v, want the redirect policy's refusal", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if requests != 10 || waits != 0 {
		t.Errorf("%d requests and %d waits, want 10 (net/http stops at the tenth redirect) and none", requests, waits)
	}
}
