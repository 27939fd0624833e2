package atlas_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestTokenErrorNeverQuotesTheClientSecret: a token endpoint (or a proxy in
// front of it) that echoes the request in its error body quotes the client
// secret, form-encoded or inside a Basic credential; oauth2 puts that body in
// its error. The pattern-based redaction misses a secret that is short or
// holds symbols, so the client blanks its own secret in every form it sent.
func TestTokenErrorNeverQuotesTheClientSecret(t *testing.T) {
	const clientID = "mdb_sa_id_echo"
	for _, secret := range []string{"mdb_sa_sk_short", "s3cr3t!with$symbols&more=x", "mdb_sa_sk_0123456789abcdefghijklmnopqrstuvwxyzABCD"} {
		t.Run(secret, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, "you sent "+string(body)+" with "+r.Header.Get("Authorization"))
			}))
			t.Cleanup(srv.Close)
			c, err := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithServiceAccount(clientID, secret))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.CloseIdleConnections)
			_, err = c.CreateLinkToken(context.Background(), testOrg)
			if err == nil {
				t.Fatal("the token request succeeded")
			}
			basic := func(id, s string) string { return base64.StdEncoding.EncodeToString([]byte(id + ":" + s)) }
			for _, form := range []string{secret, url.QueryEscape(secret), basic(clientID, secret),
				basic(url.QueryEscape(clientID), url.QueryEscape(secret))} {
				if strings.Contains(err.Error(), form) {
					t.Errorf("the error quotes the client secret as %q: %v", form, err)
				}
			}
		})
	}
}
