package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// tokenRequest asks root+path for a token with client credentials, in
// HTTP Basic (which the endpoint reads first) when basic is set, else in
// the form, and returns the status and Retry-After.
func tokenRequest(t *testing.T, root, path, id, secret string, basic bool) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequest(http.MethodPost, root+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(id, secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Retry-After")
}

// TestServeThrottlesWrongSecrets: wrong secrets for one client id are
// answered 429 with Retry-After once ten were tried in a minute, the
// right one too until the bucket refills; made-up client ids share a
// global bound; a mount prefix does not get around it, and a 401 that is
// no guess (a digest challenge) costs nothing.
func TestServeThrottlesWrongSecrets(t *testing.T) {
	svc, err := atlastest.New(atlastest.WithServiceAccount("mdb_sa_id", "mdb_sa_sk"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	var logged []atlastest.Exchange
	g := newGuessLimit(svc, []string{"mdb_sa_id"}, func(x atlastest.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, x)
	})
	g.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := httptest.NewServer(g)
	defer srv.Close()

	for i := range 20 {
		res, err := http.Post(srv.URL+atlastest.BasePathV2+"/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("digest handshake %d: %d", i, res.StatusCode)
		}
	}
	for i := range 10 {
		path := atlastest.TokenPath
		if i%2 == 1 {
			path = "/svc" + atlastest.TokenPath // a mount prefix is the same endpoint
		}
		if st, _ := tokenRequest(t, srv.URL, path, "mdb_sa_id", "guess", i%3 == 0); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, st)
		}
	}
	for _, path := range []string{atlastest.TokenPath, "/svc" + atlastest.TokenPath} {
		for _, secret := range []string{"guess", "mdb_sa_sk"} {
			if st, retry := tokenRequest(t, srv.URL, path, "mdb_sa_id", secret, secret == "guess"); st != http.StatusTooManyRequests || retry != "6" {
				t.Fatalf("%s after ten wrong secrets: %d Retry-After %q, want 429 and 6", path, st, retry)
			}
		}
	}
	mu.Lock()
	last := logged[len(logged)-1]
	now = now.Add(6 * time.Second)
	mu.Unlock()
	if last.Status != http.StatusTooManyRequests || last.Operation != atlastest.OpOAuthToken {
		t.Errorf("a refused guess is logged as %+v", last)
	}
	if st, _ := tokenRequest(t, srv.URL, atlastest.TokenPath, "mdb_sa_id", "mdb_sa_sk", false); st != http.StatusOK {
		t.Fatalf("after Retry-After: %d, want 200", st)
	}
	// The global bucket refilled in those 6 s: 100 wrong guesses under
	// made-up ids empty it, and the next made-up id waits too.
	for i := range 100 {
		if st, _ := tokenRequest(t, srv.URL, atlastest.TokenPath, fmt.Sprintf("made-up-%d", i), "x", i%2 == 0); st != http.StatusUnauthorized {
			t.Fatalf("made-up id %d: %d", i, st)
		}
	}
	if st, retry := tokenRequest(t, srv.URL, atlastest.TokenPath, "made-up-last", "x", false); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("past the global bound: %d Retry-After %q", st, retry)
	}
}

// TestServeCommandThrottlesWrongSecrets: the serve command puts the
// limit in front of its service, and logs what it refuses.
func TestServeCommandThrottlesWrongSecrets(t *testing.T) {
	root, _, stderr, stop := serveRunning(t, nil, "--addr", "127.0.0.1:0", "--client-id", "mdb_sa_id", "--client-secret", "mdb_sa_sk")
	for i := range 10 {
		if st, _ := tokenRequest(t, root, atlastest.TokenPath, "mdb_sa_id", "guess", false); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, st)
		}
	}
	if st, retry := tokenRequest(t, root, atlastest.TokenPath, "mdb_sa_id", "mdb_sa_sk", false); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("after ten wrong secrets: %d Retry-After %q, want 429", st, retry)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr.String(), " 429 "+atlastest.OpOAuthToken) {
		t.Errorf("the refused guess is not logged:\n%s", stderr)
	}
}
