package atlastest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// TestDigestComputationMatchesRFC7616 checks the server's computation
// against the worked examples of RFC 7616 §3.9.1.
func TestDigestComputationMatchesRFC7616(t *testing.T) {
	const common = `username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", ` +
		`qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ` +
		`nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
	for _, tc := range []struct{ name, header string }{
		{"MD5", `Digest algorithm=MD5, ` + common + `, response="8ca523f5e9506fed4657c9700eebdbec"`},
		{"SHA-256", `Digest algorithm=SHA-256, ` + common + `, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds, err := digest.ParseCredentials(tc.header)
			if err != nil {
				t.Fatal(err)
			}
			got, err := atlastest.ExpectedDigestResponse(creds, http.MethodGet, "Circle of Life")
			if err != nil {
				t.Fatal(err)
			}
			if got != creds.Response {
				t.Errorf("response = %s, want %s", got, creds.Response)
			}
			if wrong, _ := atlastest.ExpectedDigestResponse(creds, http.MethodGet, "circle of life"); wrong == creds.Response {
				t.Error("a wrong password gives the same response")
			}
		})
	}
}

// handshake drives the digest exchange by hand through the generated client:
// each call names the Authorization header it sends.
type handshake struct {
	t   *testing.T
	srv *atlastest.Server
	// no digest transport: the test writes every Authorization header
	c *client.ClientWithResponses
}

func (h *handshake) remove(auth string) *http.Response {
	h.t.Helper()
	res, err := h.c.DeleteLinkTokenWithResponse(context.Background(), orgA, nil, func(_ context.Context, req *http.Request) error {
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.HTTPResponse
}

func (h *handshake) creds(chal *digest.Challenge, nc int, password string) string {
	h.t.Helper()
	cr, err := digest.Digest(chal, digest.Options{
		Method: http.MethodDelete, URI: atlastest.BasePathV2 + "/orgs/" + orgA + "/liveMigrations/linkTokens",
		Count: nc, Username: h.srv.PublicKey(), Password: password,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return cr.String()
}

func challengeOf(t *testing.T, res *http.Response) *digest.Challenge {
	t.Helper()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.StatusCode)
	}
	chal, err := digest.FindChallenge(res.Header)
	if err != nil {
		t.Fatalf("no usable challenge in %q: %v", res.Header.Values("WWW-Authenticate"), err)
	}
	return chal
}

func TestDigestHandshakeStepByStep(t *testing.T) {
	srv := testatlas.NewServer(t)
	h := &handshake{t: t, srv: srv, c: newClient(t, srv, clientOpts{noAuth: true})}
	pass := srv.PrivateKey()

	// 1. No credentials: a challenge like the live one.
	res := h.remove("")
	chal := challengeOf(t, res)
	if chal.Realm != "MMS Public API" || chal.Algorithm != "MD5" || !chal.SupportsQOP("auth") || chal.Stale || chal.Nonce == "" {
		t.Fatalf("challenge = %+v", chal)
	}
	if res.Header.Get("X-Error-Code") != "NOT_ORG_GROUP_CREATOR" || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("401 headers = %v", res.Header)
	}

	steps := []struct {
		name   string
		auth   func() string
		status int
		stale  bool
	}{
		{"first use (nc=1)", func() string { return h.creds(chal, 1, pass) }, 404, false},
		{"reuse with rising nc (nc=2)", func() string { return h.creds(chal, 2, pass) }, 404, false},
		{"skipping ahead is fine (nc=5)", func() string { return h.creds(chal, 5, pass) }, 404, false},
		{"replayed nc (nc=5)", func() string { return h.creds(chal, 5, pass) }, 401, false},
		{"decreasing nc (nc=3)", func() string { return h.creds(chal, 3, pass) }, 401, false},
		{"wrong password (nc=6)", func() string { return h.creds(chal, 6, pass+"x") }, 401, false},
		{"right password after a wrong one (nc=6)", func() string { return h.creds(chal, 6, pass) }, 404, false},
		{"unknown user", func() string {
			cr, _ := digest.Digest(chal, digest.Options{Method: "DELETE", URI: "/x", Count: 7, Username: "nobody", Password: pass})
			return cr.String()
		}, 401, false},
		{"digest of another URI (nc=7)", func() string {
			cr, _ := digest.Digest(chal, digest.Options{Method: "DELETE", URI: atlastest.BasePathV2 + "/orgs/" + orgB + "/liveMigrations/linkTokens", Count: 7, Username: srv.PublicKey(), Password: pass})
			return cr.String()
		}, 401, false},
		{"not a digest header", func() string { return "Basic dXNlcjpwYXNz" }, 401, false},
		{"nonce expired by the server (nc=8)", func() string { srv.ExpireNonces(); return h.creds(chal, 8, pass) }, 401, true},
	}
	for _, st := range steps {
		res := h.remove(st.auth())
		if res.StatusCode != st.status {
			t.Fatalf("%s: status %d, want %d", st.name, res.StatusCode, st.status)
		}
		if res.StatusCode == 401 {
			next := challengeOf(t, res)
			if next.Stale != st.stale {
				t.Errorf("%s: stale=%v, want %v", st.name, next.Stale, st.stale)
			}
			if next.Nonce == chal.Nonce {
				t.Errorf("%s: the 401 repeats the old nonce", st.name)
			}
			if st.stale {
				chal = next
			}
		}
	}
	// The fresh nonce from the stale challenge works from nc=1.
	if res := h.remove(h.creds(chal, 1, pass)); res.StatusCode != 404 {
		t.Errorf("fresh nonce after stale: %d", res.StatusCode)
	}
	st := srv.Stats()
	if st.Challenges != 8 || st.StaleChallenges != 1 {
		t.Errorf("challenges = %d (stale %d), want 8 (1)", st.Challenges, st.StaleChallenges)
	}
}

// TestNonceExpiresWithTime: a nonce is good until its TTL has passed on
// the service's clock, and answered stale=true from then on.
func TestNonceExpiresWithTime(t *testing.T) {
	clock := newFakeClock()
	srv := testatlas.NewServer(t, atlastest.WithNonceTTL(time.Minute), atlastest.WithClock(clock.Now))
	h := &handshake{t: t, srv: srv, c: newClient(t, srv, clientOpts{noAuth: true})}
	chal := challengeOf(t, h.remove(""))
	if res := h.remove(h.creds(chal, 1, srv.PrivateKey())); res.StatusCode != 404 {
		t.Fatalf("fresh nonce: %d", res.StatusCode)
	}
	clock.Advance(time.Minute - time.Nanosecond)
	if res := h.remove(h.creds(chal, 2, srv.PrivateKey())); res.StatusCode != 404 {
		t.Fatalf("a nonce just short of its TTL: %d", res.StatusCode)
	}
	clock.Advance(time.Nanosecond)
	if next := challengeOf(t, h.remove(h.creds(chal, 3, srv.PrivateKey()))); !next.Stale {
		t.Error("an expired nonce was not answered stale=true")
	}
}

func TestNonceMemoryIsBounded(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithMaxNonces(3))
	h := &handshake{t: t, srv: srv, c: newClient(t, srv, clientOpts{noAuth: true})}
	first := challengeOf(t, h.remove(""))
	for range 10 {
		challengeOf(t, h.remove(""))
	}
	if n := atlastest.OutstandingNonces(srv.Service); n != 3 {
		t.Errorf("outstanding nonces = %d, want 3", n)
	}
	// The forgotten nonce is stale, not an error the client cannot recover from.
	if next := challengeOf(t, h.remove(h.creds(first, 1, srv.PrivateKey()))); !next.Stale {
		t.Error("a forgotten nonce was not answered stale=true")
	}
}

func TestDigestAlgorithms(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			srv := testatlas.NewServer(t, atlastest.WithDigestAlgorithm(alg))
			c := newClient(t, srv, clientOpts{})
			res := create(t, c, atlastest.BasePathV2, orgA, nil)
			if res.StatusCode() != 201 {
				t.Fatalf("%d %s", res.StatusCode(), res.Body)
			}
			h := &handshake{t: t, srv: srv, c: newClient(t, srv, clientOpts{noAuth: true})}
			chal := challengeOf(t, h.remove(""))
			if chal.Algorithm != alg {
				t.Errorf("challenge algorithm %q", chal.Algorithm)
			}
			// Either algorithm is accepted whatever the challenge named.
			other := *chal
			other.Algorithm = map[string]string{"MD5": "SHA-256", "SHA-256": "MD5"}[alg]
			if res := h.remove(h.creds(&other, 1, srv.PrivateKey())); res.StatusCode != 204 {
				t.Errorf("%s credentials on a %s challenge: %d", other.Algorithm, alg, res.StatusCode)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	viewer := atlastest.APIKey{Public: "viewerkey", Private: "viewer-secret"}
	owner := atlastest.APIKey{Public: "ownerkey", Private: "owner-secret", OrgOwner: true}
	srv := testatlas.NewServer(t, atlastest.WithAPIKey(viewer), atlastest.WithAPIKey(owner))
	if srv.PublicKey() != owner.Public || srv.PrivateKey() != owner.Private {
		t.Fatalf("owner key = %s", srv.PublicKey())
	}
	for _, tc := range []struct {
		name string
		key  atlastest.APIKey
		want int
	}{
		{"owner", owner, 201},
		{"key without the role", viewer, 403},
		{"wrong private key", atlastest.APIKey{Public: owner.Public, Private: "guess"}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := create(t, newClient(t, srv, clientOpts{public: tc.key.Public, private: tc.key.Private}), atlastest.BasePathV2, orgA, nil)
			if res.StatusCode() != tc.want {
				t.Fatalf("%d %s", res.StatusCode(), res.Body)
			}
			if tc.want == 403 && (res.JSON403 == nil || errorCode(res.JSON403) != "USER_UNAUTHORIZED") {
				t.Errorf("403 body %s", res.Body)
			}
			if tc.want == 401 && (res.JSON401 == nil || res.HTTPResponse.Header.Get("WWW-Authenticate") == "") {
				t.Errorf("401 without challenge or body: %s", res.Body)
			}
		})
	}
}

// TestChallengeReuseCostsOneExchangePerCall shows what a caching client
// (icholy/digest) costs: N calls, N+1 exchanges.
func TestChallengeReuseCostsOneExchangePerCall(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	const calls = 10
	for range calls / 2 {
		create(t, c, atlastest.BasePathV2, orgA, nil)
		remove(t, c, orgA, nil)
	}
	st := srv.Stats()
	if st.Successes != calls || st.Exchanges != calls+1 || st.Challenges != 1 {
		t.Errorf("stats = %+v", st)
	}
	if got := st.ExchangesPerSuccess(); got != 1.1 {
		t.Errorf("exchanges per success = %v, want 1.1", got)
	}
}

func TestNonceCountWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window int
		// statuses for nc = 1, 3, 2, 2, 3, 70, 7 in that order
		want []int
	}{
		{"strict (default)", 0, []int{404, 404, 401, 401, 401, 404, 401}},
		{"window of 8", 8, []int{404, 404, 404, 401, 401, 404, 401}},
		{"window of 64", 64, []int{404, 404, 404, 401, 401, 404, 404}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testatlas.NewServer(t, atlastest.WithNonceCountWindow(tc.window))
			h := &handshake{t: t, srv: srv, c: newClient(t, srv, clientOpts{noAuth: true})}
			chal := challengeOf(t, h.remove(""))
			for i, nc := range []int{1, 3, 2, 2, 3, 70, 7} {
				if got := h.remove(h.creds(chal, nc, srv.PrivateKey())).StatusCode; got != tc.want[i] {
					t.Errorf("nc=%d (step %d): %d, want %d", nc, i, got, tc.want[i])
				}
			}
		})
	}
}

// TestSharedClientUnderConcurrency: 32 goroutines sharing one caching digest
// client send counts out of order; a window lets every call through.
func TestSharedClientUnderConcurrency(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithNonceCountWindow(64))
	c := newClient(t, srv, clientOpts{})
	var wg sync.WaitGroup
	for g := range 32 {
		org := fmt.Sprintf("%024x", g%8+1)
		wg.Go(func() {
			for range 5 {
				r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(t.Context(), org, nil, client.TargetOrgRequest{AccessListIps: []string{}})
				if err != nil || r.StatusCode() != 201 {
					t.Errorf("create: %v %v", err, r)
					return
				}
			}
		})
	}
	wg.Wait()
	if st := srv.Stats(); st.Successes != 160 {
		t.Errorf("successes %d of 160; stats %+v", st.Successes, st)
	}
}
