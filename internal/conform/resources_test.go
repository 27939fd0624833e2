package conform

import (
	"net/url"
	"testing"
)

// TestExpandAndMatchAgree: a path built from a template gives back the
// values it was built from, a slash or a percent sign in a value
// included, and the URL carries it escaped once.
func TestExpandAndMatchAgree(t *testing.T) {
	const template = "/orgs/{orgId}/widgets/{widgetId}"
	in := map[string]string{"orgId": "4888442a3354817a7320eb61", "widgetId": "a/b%c d"}
	escaped, err := expand(template, in)
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: "http", Host: "h"}
	if err := setEscapedPath(u, "/api"+escaped); err != nil {
		t.Fatal(err)
	}
	if got, want := u.String(), "http://h/api/orgs/4888442a3354817a7320eb61/widgets/a%2Fb%25c%20d"; got != want {
		t.Errorf("URL %s, want %s", got, want)
	}
	out, ok := pathParams(template, escaped)
	if !ok || out["widgetId"] != in["widgetId"] || out["orgId"] != in["orgId"] {
		t.Errorf("matched %v (%v), want %v", out, ok, in)
	}
	if _, ok := pathParams(template, "/orgs/x/gadgets/y"); ok {
		t.Error("a path of another template matched")
	}
}
