package atlastest_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/icholy/digest"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// TestSecretLogIsAnExplicitOption: the service hands every secret it
// issues or sees to the WithSecretLog recorder, and, built with New or
// NewServer, reads no environment variable to find a file of its own.
func TestSecretLogIsAnExplicitOption(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secrets")
	t.Setenv("LINKTOKEN_SECRET_LOG", file)
	var mu sync.Mutex
	var got []string
	record := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, s)
	}
	svc, err := atlastest.New(atlastest.WithSecretLog(record), atlastest.WithServiceAccount("mdb_sa_id_log", "mdb_sa_sk_log_0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	root := srv.URL

	authed := &http.Client{Transport: &digest.Transport{Username: svc.PublicKey(), Password: svc.PrivateKey()}}
	res, err := authed.Do(mustRequest(t, root+atlastest.BasePathV2+"/orgs/"+orgA+"/liveMigrations/linkTokens"))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v %v", err, res)
	}
	res.Body.Close()
	link, _ := svc.LinkToken(orgA)
	cc := clientcredentials.Config{ClientID: "mdb_sa_id_log", ClientSecret: "mdb_sa_sk_log_0123456789", TokenURL: root + atlastest.TokenPath}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for name, secret := range map[string]string{"private key": svc.PrivateKey(), "client secret": "mdb_sa_sk_log_0123456789",
		"link-token": link, "bearer token": tok.AccessToken} {
		if !slices.Contains(got, secret) {
			t.Errorf("the %s was not recorded", name)
		}
	}
	if len(got) < 6 { // the above, the key inside the link-token, a digest response
		t.Errorf("only %d secrets recorded", len(got))
	}
	if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
		t.Errorf("New wrote %d bytes to $LINKTOKEN_SECRET_LOG by itself", len(b))
	}

	// NewServer, the constructor importers' tests call, is the same.
	ts := atlastest.NewServer(t)
	res, err = ts.DigestClient().Do(mustRequest(t, ts.URL()+atlastest.BasePathV2+"/orgs/"+orgA+"/liveMigrations/linkTokens"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
		t.Errorf("NewServer wrote %d bytes to $LINKTOKEN_SECRET_LOG by itself", len(b))
	}
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"accessListIps":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", atlastest.MediaTypeV2)
	req.Header.Set("Accept", atlastest.MediaTypeV2)
	return req
}
