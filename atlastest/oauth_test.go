package atlastest_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestServiceAccounts(t *testing.T) {
	clock := newFakeClock()
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id", "mdb_sa_sk"), atlastest.WithClock(clock.Now))
	oauthClient := func(secret string) *http.Client {
		cfg := clientcredentials.Config{ClientID: "mdb_sa_id", ClientSecret: secret, TokenURL: srv.URL() + "/api/oauth/token"}
		return cfg.Client(t.Context())
	}
	gen := func(hc *http.Client, version string) *client.ClientWithResponses {
		c, err := client.NewClientWithResponses(srv.URL()+version, client.WithHTTPClient(hc),
			client.WithRequestEditorFn(acceptFor(version)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("bearer on v2", func(t *testing.T) {
		r := create(t, gen(oauthClient("mdb_sa_sk"), atlastest.BasePathV2), atlastest.BasePathV2, orgA, nil)
		if r.StatusCode() != 201 {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("bearer refused on v1.0", func(t *testing.T) {
		r := create(t, gen(oauthClient("mdb_sa_sk"), atlastest.BasePathV1), atlastest.BasePathV1, orgA, nil)
		if r.StatusCode() != 401 || r.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("wrong secret gets no token", func(t *testing.T) {
		_, err := gen(oauthClient("wrong"), atlastest.BasePathV2).DeleteLinkTokenWithResponse(t.Context(), orgA, nil)
		if err == nil {
			t.Fatal("no error with a wrong client secret")
		}
	})
	t.Run("expired token", func(t *testing.T) {
		hc := oauthClient("mdb_sa_sk")
		c := gen(hc, atlastest.BasePathV2)
		if r := remove(t, c, orgA, nil); r.StatusCode() != 204 {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
		srv.ExpireNonces() // drops issued tokens too
		if r := remove(t, c, orgA, nil); r.StatusCode() != 401 {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("a token outlives its TTL on the service's clock", func(t *testing.T) {
		c := gen(oauthClient("mdb_sa_sk"), atlastest.BasePathV2)
		if r := remove(t, c, orgA, nil); r.StatusCode() != 404 {
			t.Fatalf("%d %s", r.StatusCode(), r.Body)
		}
		clock.Advance(time.Hour - time.Nanosecond) // tokens live an hour
		if r := remove(t, c, orgA, nil); r.StatusCode() != 404 {
			t.Fatalf("just short of the TTL: %d %s", r.StatusCode(), r.Body)
		}
		clock.Advance(time.Nanosecond)
		if r := remove(t, c, orgA, nil); r.StatusCode() != 401 {
			t.Fatalf("past the TTL: %d %s", r.StatusCode(), r.Body)
		}
	})
}

// tokenRequest posts client credentials to path on srv and returns the
// status and Retry-After.
func tokenRequest(t *testing.T, srv *atlastest.Server, path, id, secret string) (int, string) {
	t.Helper()
	res, err := http.PostForm(srv.URL()+path, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Retry-After")
}

// TestWrongSecretsAreNotThrottled: a test double meets only a test's own
// clients, so wrong secrets cost nothing: the right one is served after any
// number of them (linktoken serve throttles them in front of the service).
func TestWrongSecretsAreNotThrottled(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id", "mdb_sa_sk"))
	for i := range 20 {
		if st, _ := tokenRequest(t, srv, atlastest.TokenPath, "mdb_sa_id", "guess"); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, st)
		}
	}
	if st, _ := tokenRequest(t, srv, atlastest.TokenPath, "mdb_sa_id", "mdb_sa_sk"); st != http.StatusOK {
		t.Fatalf("after wrong secrets: %d, want 200", st)
	}
}

// TestTokenEndpointOnlyAtItsPath: the token endpoint answers at TokenPath
// (under a mount prefix too), not at any path that ends like it.
func TestTokenEndpointOnlyAtItsPath(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id", "mdb_sa_sk"))
	for path, want := range map[string]bool{
		atlastest.TokenPath:                        true,
		"/svc" + atlastest.TokenPath:               true,
		atlastest.BasePathV2 + atlastest.TokenPath: false,
		"/svc/" + atlastest.TokenPath:              false, // an empty segment
		"/a/.." + atlastest.TokenPath:              false,
		"/%61pi/oauth/token":                       false,
	} {
		st, _ := tokenRequest(t, srv, path, "mdb_sa_id", "mdb_sa_sk")
		if (st == http.StatusOK) != want {
			t.Errorf("%s: %d, token endpoint %v", path, st, want)
		}
	}
}
