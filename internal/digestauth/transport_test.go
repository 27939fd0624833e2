package digestauth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/internal/digestauth"
)

// TestAnswersDigestAmongSeveralChallenges: a 401 may list several
// challenges in one WWW-Authenticate value (RFC 9110 §11.6.1), the Digest
// one anywhere in the list, as the contract's judge accepts; the transport
// answers the first Digest one it can, and still does when each challenge
// has a header line of its own.
func TestAnswersDigestAmongSeveralChallenges(t *testing.T) {
	const (
		user, password = "pubkey", "private-key-secret"
		digestChal     = `Digest realm="MMS Public API", nonce="bm9uY2UtMQ==", algorithm=MD5, qop="auth"`
	)
	for _, tc := range []struct {
		name   string
		values []string
	}{
		{"Bearer then Digest in one value", []string{`Bearer realm="x", error="invalid_token", ` + digestChal}},
		{"Digest then Bearer in one value", []string{digestChal + `, Bearer realm="x"`}},
		{"a token68 scheme then Digest, no spaces", []string{`Negotiate abc==,` + strings.ReplaceAll(digestChal, ", ", ",")}},
		{"one line each", []string{`Bearer realm="x"`, digestChal}},
		{"an algorithm it cannot answer, then one it can", []string{`Digest realm="r", nonce="other", algorithm=UNKNOWN, ` + digestChal}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			chal, err := digest.ParseChallenge(digestChal)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if authorized(r, chal, user, password) {
					w.WriteHeader(http.StatusCreated)
					return
				}
				w.Header()["Www-Authenticate"] = tc.values
				w.WriteHeader(http.StatusUnauthorized)
			}))
			t.Cleanup(srv.Close)
			// The server's own transport: the subtests run in parallel, and
			// httptest.Server.Close closes http.DefaultTransport's idle
			// connections, one another subtest may be about to reuse.
			c := &http.Client{Transport: digestauth.New(user, password, srv.Client().Transport)}
			resp, err := c.Post(srv.URL+"/api/atlas/v2/orgs/x/liveMigrations/linkTokens", "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d, want 201: the Digest challenge was not answered", resp.StatusCode)
			}
		})
	}
}

// authorized reports whether r carries the RFC 7616 response to chal.
func authorized(r *http.Request, chal *digest.Challenge, user, password string) bool {
	got, err := digest.ParseCredentials(r.Header.Get("Authorization"))
	if err != nil || got.Username != user || got.Nonce != chal.Nonce {
		return false
	}
	want, err := digest.Digest(chal, digest.Options{
		Method: r.Method, URI: r.URL.RequestURI(), Count: got.Nc, Cnonce: got.Cnonce,
		Username: user, Password: password,
	})
	return err == nil && got.Response == want.Response
}

// TestLeavesA401WithoutAnAnswerableDigest: no Digest challenge it can
// answer, in any value, and the caller gets the 401 after one request.
func TestLeavesA401WithoutAnAnswerableDigest(t *testing.T) {
	for _, values := range [][]string{
		{`Bearer realm="x", error="invalid_token"`},
		{`Bearer realm="Digest realm=r, nonce=n"`},
		{`Bearer realm="x", Digest realm="r", nonce="n", algorithm=UNKNOWN`},
		{`Basic realm="x"`, `Digest realm="r", nonce="n", qop="auth-conf"`},
	} {
		requests := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests++
			w.Header()["Www-Authenticate"] = values
			w.WriteHeader(http.StatusUnauthorized)
		}))
		c := &http.Client{Transport: digestauth.New("pubkey", "private-key-secret", http.DefaultTransport)}
		resp, err := c.Get(srv.URL)
		if err == nil {
			_ = resp.Body.Close()
		}
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized || requests != 1 {
			t.Errorf("%q: status %d after %d requests, want 401 after 1", values, resp.StatusCode, requests)
		}
	}
}

// TestNoCredentialFollowsARedirectElsewhere: as net/http drops an
// Authorization header it was given when a redirect leaves the host, the
// transport sends no credential on such a redirect, however many hops it
// takes: neither a response to the first server's nonce (which the other
// host could replay against it) nor an answer to the other host's own
// challenge. A plain http.Client over atlas.NewDigestTransport meets this.
func TestNoCredentialFollowsARedirectElsewhere(t *testing.T) {
	const user, password = "redirect-public-key", "redirect-private-key"
	var elsewhere []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere = append(elsewhere, r.Header.Get("Authorization"))
		if r.URL.Query().Get("hop") == "" {
			http.Redirect(w, r, r.URL.Path+"?hop=1", http.StatusTemporaryRedirect) // to itself, then
			return
		}
		w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="other", algorithm=MD5, qop="auth"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") == "":
			w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="service", algorithm=MD5, qop="auth"`)
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Query().Get("away") != "":
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Transport: digestauth.New(user, password, http.DefaultTransport)}
	for _, query := range []string{"", "?away=1"} { // a held challenge first, then the redirect
		resp, err := c.Post(srv.URL+"/api/atlas/v2/orgs/x/liveMigrations/linkTokens"+query, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	if len(elsewhere) != 2 {
		t.Errorf("the other host saw %d requests, want 2", len(elsewhere))
	}
	for _, auth := range elsewhere {
		if auth != "" {
			t.Errorf("the other host received a credential: %s", auth)
		}
	}
}
