package contract_test

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// The fast matcher decides, without allocating, which paths are the
// contract's; kin-openapi's router must agree with it on every path, so
// that "not an operation of the contract" means the same to both.

// kinRoutes reports where plain kin-openapi's router (with the servers made
// host-less, as this package routes them) sends a path.
func kinRoutes(t testing.TB, method, path string) (template string, ok bool) {
	t.Helper()
	template, _, ok = kinRoutesWithParams(t, method, path)
	return template, ok
}

// kinRoutesWithParams is kinRoutes with the path parameters the router
// found (still escaped, as gorilla/mux reads an encoded path).
func kinRoutesWithParams(t testing.TB, method, path string) (template string, params map[string]string, ok bool) {
	t.Helper()
	u := &url.URL{Scheme: "https", Host: "cloud.mongodb.com", RawPath: path}
	p, err := url.PathUnescape(path)
	if err != nil {
		return "", nil, false
	}
	u.Path = p
	route, params, err := plain().router.FindRoute(&http.Request{Method: method, URL: u, Host: u.Host})
	switch {
	case err == nil:
		return route.Path, params, true
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return "?", nil, true
	}
	return "", nil, false
}

func assertRoutingAgrees(t testing.TB, v *contract.Validator, method, path string) {
	t.Helper()
	u := &url.URL{Scheme: "https", Host: "cloud.mongodb.com", RawPath: path}
	p, err := url.PathUnescape(path)
	if err != nil || !strings.HasPrefix(path, "/") {
		return // no request can carry it
	}
	u.Path = p
	if u.EscapedPath() != path {
		return // not a path as a request line would carry it
	}
	_, kinOK := kinRoutes(t, method, path)
	m, err := v.Match(method, u)
	if (err == nil) != kinOK {
		t.Fatalf("%s %s: this package says in contract=%v (%v), kin-openapi's router %v", method, path, err == nil, err, kinOK)
	}
	if err == nil && m.Operation != "" {
		tmpl, params, _ := kinRoutesWithParams(t, method, path)
		if tmpl != m.Path {
			t.Fatalf("%s %s: this package routes to %q, kin-openapi to %q", method, path, m.Path, tmpl)
		}
		// The slow path hands kin-openapi's validators the route and the
		// parameters the fast matcher found: they must be the router's.
		if got := m.PathParams(); !maps.Equal(got, params) {
			t.Fatalf("%s %s: this package reads the path parameters %q, kin-openapi's router %q", method, path, got, params)
		}
	}
}

func TestRoutingAgreesWithKinOpenAPI(t *testing.T) {
	v := contract.MustNew()
	org := "4888442a3354817a7320eb61"
	for _, base := range []string{"/api/atlas/v2", "/api/atlas/v1.0"} {
		for _, p := range []string{
			"/orgs/" + org + "/liveMigrations/linkTokens", "/orgs/" + org + "/liveMigrations/linkTokens/",
			"/orgs//liveMigrations/linkTokens", "/orgs/%34888442a3354817a7320eb61/liveMigrations/linkTokens",
			"/orgs/a%2Fb/liveMigrations/linkTokens", "/Orgs/" + org + "/liveMigrations/linkTokens",
			"/orgs/" + org + "/liveMigrations/linktokens", "/orgs/" + org + "/liveMigrations", "//orgs/" + org + "/liveMigrations/linkTokens",
			"/orgs/" + org + "/liveMigrations/linkTokens/extra", "/groups/x",
		} {
			for _, method := range []string{"POST", "DELETE", "GET", "post"} {
				assertRoutingAgrees(t, v, method, base+p)
			}
		}
	}
}

// FuzzRoutingAgreesWithKinOpenAPI: for any path under a base path, the
// fast matcher and kin-openapi's router agree on whether it is the
// contract's, and on which path of the document it is.
func FuzzRoutingAgreesWithKinOpenAPI(f *testing.F) {
	f.Add("/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", "POST", true)
	f.Add("/orgs/x/liveMigrations/linkTokens/", "DELETE", false)
	f.Add("/orgs/%2F/liveMigrations/linkTokens", "GET", true)
	v := contract.MustNew()
	f.Fuzz(func(t *testing.T, rest, method string, v2 bool) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/") {
			return
		}
		base := "/api/atlas/v1.0"
		if v2 {
			base = "/api/atlas/v2"
		}
		assertRoutingAgrees(t, v, method, base+rest)
	})
}
