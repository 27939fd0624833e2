package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestCommandsSendTheBuildsUserAgent: create and delete tell the server
// which build of the command called (the test binary records no version:
// "devel"), not a fixed number that never changes.
func TestCommandsSendTheBuildsUserAgent(t *testing.T) {
	const want = "linktoken-cli/devel (+https://github.com/seed-5c49e0d7/linktoken)"
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("User-Agent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":404,"errorCode":"RESOURCE_NOT_FOUND","reason":"Not Found","detail":"none"}`))
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{atlas.EnvPublicAPIKey: "abcdefgh", atlas.EnvPrivateAPIKey: "00000000-0000-0000-0000-000000000000",
		atlas.EnvBaseURL: srv.URL + "/", atlas.EnvOrgID: "4888442a3354817a7320eb61"}
	for _, args := range [][]string{{"create", "--accessListIp", "192.0.2.10"}, {"delete", "--force"}} {
		mu.Lock()
		seen = nil
		mu.Unlock()
		r := runCLI(t, cliOpts{env: env}, args...)
		mu.Lock()
		if r.code == exitOK || len(seen) == 0 {
			t.Errorf("%v: exit %d after %d requests; want the 404 answered", args, r.code, len(seen))
		}
		for _, ua := range seen {
			if ua != want {
				t.Errorf("%v: User-Agent %q, want %q", args, ua, want)
			}
		}
		mu.Unlock()
	}
}
