package contract_test

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// TestMatch: kin-openapi's router decides the path and the method; this
// package adds the server's base path under any mount prefix, and the
// methods a known path declares when the request's is not one of them.
func TestMatch(t *testing.T) {
	v := contract.MustNew()
	const tmpl = "/orgs/{orgId}/liveMigrations/linkTokens"
	for _, tc := range []struct {
		name, method, path string
		wantOp, wantPrefix string
		wantServer         string
		wantParams         map[string]string
		wantErr            bool
	}{
		{name: "create", method: "POST", path: "/api/atlas/v2/orgs/abc/liveMigrations/linkTokens",
			wantOp: "createLinkToken", wantServer: "/api/atlas/v2", wantParams: map[string]string{"orgId": "abc"}},
		{name: "v1.0", method: "DELETE", path: "/api/atlas/v1.0/orgs/abc/liveMigrations/linkTokens",
			wantOp: "deleteLinkToken", wantServer: "/api/atlas/v1.0", wantParams: map[string]string{"orgId": "abc"}},
		{name: "mounted", method: "POST", path: "/mnt/x/api/atlas/v2/orgs/abc/liveMigrations/linkTokens",
			wantOp: "createLinkToken", wantServer: "/api/atlas/v2", wantPrefix: "/mnt/x", wantParams: map[string]string{"orgId": "abc"}},
		{name: "escaped parameter stays escaped", method: "POST", path: "/api/atlas/v2/orgs/a%2Fb/liveMigrations/linkTokens",
			wantOp: "createLinkToken", wantServer: "/api/atlas/v2", wantParams: map[string]string{"orgId": "a/b"}},
		{name: "undeclared method", method: "GET", path: "/api/atlas/v2/orgs/abc/liveMigrations/linkTokens",
			wantServer: "/api/atlas/v2"},
		{name: "lower-case method", method: "post", path: "/api/atlas/v2/orgs/abc/liveMigrations/linkTokens",
			wantServer: "/api/atlas/v2"},
		{name: "trailing slash", method: "POST", path: "/api/atlas/v2/orgs/abc/liveMigrations/linkTokens/", wantErr: true},
		{name: "empty parameter", method: "POST", path: "/api/atlas/v2/orgs//liveMigrations/linkTokens", wantErr: true},
		{name: "other path", method: "POST", path: "/api/atlas/v2/groups/x", wantErr: true},
		{name: "no base path", method: "POST", path: "/orgs/abc/liveMigrations/linkTokens", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &url.URL{Scheme: "https", Host: "cloud.mongodb.com", RawPath: tc.path}
			u.Path, _ = url.PathUnescape(tc.path)
			m, err := v.Match(tc.method, u)
			if tc.wantErr {
				if !errors.Is(err, contract.ErrNotInContract) {
					t.Fatalf("Match = %+v, %v; want ErrNotInContract", m, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Operation != tc.wantOp || m.Path != tmpl || m.Server != tc.wantServer || m.Prefix != tc.wantPrefix {
				t.Errorf("Match = %q %q on %q under %q; want %q %q on %q under %q",
					m.Operation, m.Path, m.Server, m.Prefix, tc.wantOp, tmpl, tc.wantServer, tc.wantPrefix)
			}
			if !slices.Equal(m.Allow, []string{"DELETE", "POST"}) {
				t.Errorf("Allow = %v", m.Allow)
			}
			if tc.wantOp != "" && !maps.Equal(serverside.PathParams(m), tc.wantParams) {
				t.Errorf("PathParams = %v, want %v", serverside.PathParams(m), tc.wantParams)
			}
		})
	}
}
