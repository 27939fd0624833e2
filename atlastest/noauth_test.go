package atlastest_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// With authentication off, a client that sends no credentials at all (or
// garbage ones) is served as the owner key and never challenged; with it on,
// the same client gets a 401 and the link stays as it was.
func TestWithoutAuthenticationServesEveryRequestAsTheOwner(t *testing.T) {
	var (
		mu         sync.Mutex
		principals []string
	)
	srv := testatlas.NewServer(t, atlastest.WithoutAuthentication(),
		atlastest.WithExchangeLog(func(x atlastest.Exchange) {
			mu.Lock()
			defer mu.Unlock()
			principals = append(principals, x.Principal)
		}))
	// A plain transport: the contract (rightly) flags a success answered to
	// a request without credentials, which is what this option is for.
	plain := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(plain.CloseIdleConnections)
	c := newClient(t, srv, clientOpts{noAuth: true, transport: plain})
	if res := create(t, c, atlastest.BasePathV2, orgA, nil); res.StatusCode() != http.StatusCreated {
		t.Fatalf("create without credentials: %d, want 201", res.StatusCode())
	}
	if _, ok := srv.LinkToken(orgA); !ok {
		t.Fatal("no link after a 201")
	}
	req, err := http.NewRequest(http.MethodDelete, srv.URL()+atlastest.BasePathV2+"/orgs/"+orgA+"/liveMigrations/linkTokens", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", atlastest.MediaTypeV2)
	req.Header.Set("Authorization", `Digest username="nobody", realm="elsewhere", response="0"`)
	resp, err := (&http.Client{Transport: plain}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove with garbage credentials: %d, want 204", resp.StatusCode)
	}
	if st := srv.Stats(); st.Challenges != 0 || st.Exchanges != 2 {
		t.Errorf("challenges %d, exchanges %d; want 0 and 2", st.Challenges, st.Exchanges)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range principals {
		if p != srv.PublicKey() {
			t.Errorf("principal %q, want the owner key %q", p, srv.PublicKey())
		}
	}

	authed := testatlas.NewServer(t)
	c = newClient(t, authed, clientOpts{noAuth: true})
	if res := create(t, c, atlastest.BasePathV2, orgA, nil); res.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("create without credentials on a normal server: %d, want 401", res.StatusCode())
	}
	if authed.LinkCount() != 0 {
		t.Error("an unauthenticated create left a link")
	}
}
