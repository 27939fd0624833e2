package atlas

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAcceptFollowsTheOperation: on v2 each call asks for its own
// operation's resource version (a migration's 2024-05-30 beside the
// link-token's 2023-01-01), under any mount prefix; what the table does not
// know gets the version's default.
func TestAcceptFollowsTheOperation(t *testing.T) {
	saved := versionedAccept
	t.Cleanup(func() { versionedAccept = saved })
	versionedAccept = map[string]string{
		"POST /orgs/{orgId}/liveMigrations/linkTokens":                 "application/vnd.atlas.2023-01-01+json",
		"POST /groups/{groupId}/liveMigrations":                        "application/vnd.atlas.2024-05-30+json",
		"GET /groups/{groupId}/liveMigrations/{liveMigrationId}":       "application/vnd.atlas.2024-05-30+json",
		"GET /groups/{groupId}/liveMigrations/{liveMigrationId}/state": "application/vnd.atlas.2025-01-01+json",
		"GET /groups/{groupId}/liveMigrations/latest":                  "application/vnd.atlas.2026-01-01+json",
	}
	const base, fallback = "/mount/api/atlas/v2", "application/vnd.atlas.2023-01-01+json"
	for _, tc := range []struct{ method, path, want string }{
		{"POST", base + "/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", "application/vnd.atlas.2023-01-01+json"},
		{"POST", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations", "application/vnd.atlas.2024-05-30+json"},
		{"GET", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations/6f3322d28b4f6b59a6508ef4", "application/vnd.atlas.2024-05-30+json"},
		{"GET", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations/6f3322d28b4f6b59a6508ef4/state", "application/vnd.atlas.2025-01-01+json"},
		{"GET", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations/latest", "application/vnd.atlas.2026-01-01+json"},
		{"DELETE", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations", fallback},
		{"GET", base + "/groups/5e2211c17a3e5a48f5497de3/liveMigrations/", fallback},
		{"GET", "/elsewhere/groups/5e2211c17a3e5a48f5497de3/liveMigrations/x", fallback},
	} {
		req := httptest.NewRequest(tc.method, "https://cloud.mongodb.com"+tc.path, nil)
		if got := acceptFor(req, base, fallback); got != tc.want {
			t.Errorf("%s %s: Accept %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestGeneratedViewSendsTheOperationsAccept: the generated client this
// Client hands out sends the table's Accept on v2 and plain JSON on v1.0.
func TestGeneratedViewSendsTheOperationsAccept(t *testing.T) {
	saved := versionedAccept
	t.Cleanup(func() { versionedAccept = saved })
	versionedAccept = map[string]string{"DELETE /orgs/{orgId}/liveMigrations/linkTokens": "application/vnd.atlas.2024-05-30+json"}
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Accept")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	for version, want := range map[APIVersion]string{APIVersionV2: "application/vnd.atlas.2024-05-30+json", APIVersionV1: "application/json"} {
		c, err := NewClient(WithBaseURL(srv.URL+"/mount/"), WithDigest("pub", "priv"), WithAPIVersion(version))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Generated().DeleteLinkTokenWithResponse(t.Context(), "4888442a3354817a7320eb61", nil); err != nil {
			t.Fatal(err)
		}
		if accept := <-got; accept != want {
			t.Errorf("%s: Accept %q, want %q", version, accept, want)
		}
	}
}
