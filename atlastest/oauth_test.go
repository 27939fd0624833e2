package atlastest_test

import (
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

func TestServiceAccounts(t *testing.T) {
	clock := newFakeClock()
	srv := atlastest.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id", "mdb_sa_sk"), atlastest.WithTokenTTL(time.Minute),
		atlastest.WithClock(clock.Now))
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
		clock.Advance(time.Minute - time.Nanosecond)
		if r := remove(t, c, orgA, nil); r.StatusCode() != 404 {
			t.Fatalf("just short of the TTL: %d %s", r.StatusCode(), r.Body)
		}
		clock.Advance(time.Nanosecond)
		if r := remove(t, c, orgA, nil); r.StatusCode() != 401 {
			t.Fatalf("past the TTL: %d %s", r.StatusCode(), r.Body)
		}
	})
}
