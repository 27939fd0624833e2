package contract

import (
	"maps"
	"net/url"
	"testing"
)

// TestRouterRouteIsTheRoutersRoute: the route the slow path hands
// kin-openapi's validators for a path the fast matcher found is the one
// kin-openapi's router returns: same document, server, path, item, method,
// operation and parameters.
func TestRouterRouteIsTheRoutersRoute(t *testing.T) {
	v := MustNew()
	checked := 0
	for _, base := range []string{"/api/atlas/v2", "/api/atlas/v1.0", "/mounted/api/atlas/v2"} {
		for _, rest := range []string{
			"/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
			"/orgs/a%2Fb/liveMigrations/linkTokens",
			"/orgs/%34888442a3354817a7320eb61/liveMigrations/linkTokens",
		} {
			for _, method := range []string{"POST", "DELETE", "GET"} {
				u := &url.URL{Scheme: "https", Host: "cloud.mongodb.com", RawPath: base + rest}
				u.Path, _ = url.PathUnescape(u.RawPath)
				m, err := v.Match(method, u)
				if err != nil {
					t.Fatalf("%s %s: %v", method, u.RawPath, err)
				}
				got, gotParams, ok := m.routerRoute()
				want, wantParams, err := v.findRoute(method, u, u.EscapedPath(), len(m.Prefix), m.srv)
				if !ok {
					if err == nil {
						t.Fatalf("%s %s: the router finds %s, routerRoute nothing", method, u.RawPath, want.Path)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s %s: routerRoute finds %s, the router: %v", method, u.RawPath, got.Path, err)
				}
				if got.Spec != want.Spec || got.Server != want.Server || got.Path != want.Path || got.PathItem != want.PathItem ||
					got.Method != want.Method || got.Operation != want.Operation {
					t.Fatalf("%s %s: routerRoute %+v, the router %+v", method, u.RawPath, *got, *want)
				}
				if !maps.Equal(gotParams, wantParams) {
					t.Fatalf("%s %s: parameters %q, the router's %q", method, u.RawPath, gotParams, wantParams)
				}
				checked++
			}
		}
	}
	if checked < 12 {
		t.Fatalf("only %d routes compared", checked)
	}
}
