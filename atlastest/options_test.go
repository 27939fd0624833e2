package atlastest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestInvalidOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  atlastest.Option
		want string
	}{
		{"key without private part", atlastest.WithAPIKey(atlastest.APIKey{Public: "p"}), "public and a private"},
		{"upper-case organization", atlastest.WithOrganizations("4888442A3354817A7320EB61"), "24 lower-case hex"},
		{"SHA-512", atlastest.WithDigestAlgorithm("SHA-512"), "want MD5 or SHA-256"},
		{"zero nonce TTL", atlastest.WithNonceTTL(0), "positive"},
		{"no nonces", atlastest.WithMaxNonces(0), "at least 1"},
		{"empty bucket", atlastest.WithRateLimit(0, time.Second), "capacity"},
		{"zero body cap", atlastest.WithMaxBodyBytes(0), "positive"},
		{"service account without secret", atlastest.WithServiceAccount("id", ""), "client id and secret"},
		{"window too wide", atlastest.WithNonceCountWindow(65), "0 to 64"},
		{"no resources", atlastest.WithMaxResources(0), "at least 1"},
		{"no clock", atlastest.WithClock(nil), "nil clock"},
		{"no contract", atlastest.WithContractValidator(nil), "nil contract"},
		{"a handler without an operation", atlastest.WithOperationHandler("", http.NotFoundHandler()), "operation id and a handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := atlastest.New(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	k := atlastest.GenerateAPIKey()
	if _, err := atlastest.New(atlastest.WithAPIKey(k), atlastest.WithAPIKey(k)); err == nil {
		t.Error("a duplicate public key was accepted")
	}
}

// TestExchangeLogHoldsNoSecret: WithExchangeLog reports each exchange, with
// its principal and envelope, once, and what it reports, printed whole,
// carries no private key, digest response or link-token.
func TestExchangeLogHoldsNoSecret(t *testing.T) {
	var log exchangeLog
	srv := testatlas.NewServer(t, log.option())
	c := newClient(t, srv, clientOpts{})
	created := create(t, c, atlastest.BasePathV2, orgA, &client.CreateLinkTokenParams{Envelope: ptr(true)})
	remove(t, c, orgA, nil)

	xs := log.exchanges()
	if len(xs) != 3 {
		t.Fatalf("%d exchanges: %+v", len(xs), xs)
	}
	for i, want := range []int{http.StatusUnauthorized, http.StatusCreated, http.StatusNoContent} {
		if xs[i].Status != want || xs[i].Operation == "" {
			t.Errorf("exchange %d: %+v, want status %d", i, xs[i], want)
		}
	}
	if xs[1].Principal != srv.PublicKey() || !xs[1].Enveloped {
		t.Errorf("exchange %+v", xs[1])
	}
	token, ok := srv.LinkToken(orgA)
	if ok || created.StatusCode() != 200 {
		t.Fatalf("create %d, link left %v", created.StatusCode(), ok)
	}
	if e, err := created.JSON200.AsResponseEnvelope(); err == nil {
		token = (*e.Content)["linkToken"].(string)
	}
	if len(token) < 40 {
		t.Fatalf("no token to look for: %q", token)
	}
	out := fmt.Sprintf("%+v", xs)
	for _, secret := range []string{srv.PrivateKey(), "response=", token[:40]} {
		if strings.Contains(out, secret) {
			t.Errorf("the exchange log leaks %.10s…", secret)
		}
	}
}

func TestServerHelpers(t *testing.T) {
	srv := testatlas.NewServer(t)
	if atlastest.BasePathV2 != "/api/atlas/v2" || atlastest.BasePathV1 != "/api/atlas/v1.0" || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %s, base paths %s %s", srv.URL(), atlastest.BasePathV2, atlastest.BasePathV1)
	}
	c, err := client.NewClientWithResponses(srv.URL()+atlastest.BasePathV1, client.WithHTTPClient(srv.DigestClient()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.DeleteLinkTokenWithResponse(t.Context(), orgA, nil)
	if err != nil || r.StatusCode() != 404 {
		t.Fatalf("%v %v", err, r)
	}
	srv.Close()
	if _, err := c.DeleteLinkTokenWithResponse(t.Context(), orgA, nil); err == nil {
		t.Error("a closed server answered")
	}
}
