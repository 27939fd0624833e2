package contract_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// docCopy is a fresh copy of the contract to change.
func docCopy(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func linkTokens(doc *openapi3.T) *openapi3.PathItem {
	return doc.Paths.Value("/orgs/{orgId}/liveMigrations/linkTokens")
}

// TestUnsupportedFeaturesAreRefused adds, one at a time, each part of
// OpenAPI that no check here would look at, and requires New to refuse the
// document, naming the feature and where it is.
func TestUnsupportedFeaturesAreRefused(t *testing.T) {
	str := openapi3.NewStringSchema()
	tests := []struct {
		name, feature, at string
		change            func(*openapi3.T)
	}{
		{"callbacks", "callbacks", "/paths/~1orgs~1{orgId}~1liveMigrations~1linkTokens/post/callbacks", func(d *openapi3.T) {
			cb := openapi3.NewCallback()
			cb.Set("{$request.body#/url}", &openapi3.PathItem{Post: &openapi3.Operation{Responses: openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("ok")}))}})
			linkTokens(d).Post.Callbacks = openapi3.Callbacks{"done": {Value: cb}}
		}},
		{"a server of its own on a path", "a server of its own on a path", "/paths/~1orgs~1{orgId}~1liveMigrations~1linkTokens/servers/0/url", func(d *openapi3.T) {
			linkTokens(d).Servers = openapi3.Servers{{URL: "https://elsewhere.example/api"}}
		}},
		{"servers on an operation", "servers on an operation", "/paths/~1orgs~1{orgId}~1liveMigrations~1linkTokens/delete/servers", func(d *openapi3.T) {
			linkTokens(d).Delete.Servers = &openapi3.Servers{{URL: "https://elsewhere.example/api"}}
		}},
		{"a variable in a base path", "server variable in the base path", "/servers/0/url", func(d *openapi3.T) {
			d.Servers[0].URL = "https://cloud.mongodb.com/api/atlas/{version}"
			d.Servers[0].Variables = map[string]*openapi3.ServerVariable{"version": {Default: "v2"}}
		}},
		{"required scopes", "required scopes", "/security/1/ServiceAccounts", func(d *openapi3.T) {
			d.Security[1]["ServiceAccounts"] = []string{"org:write"}
			d.Components.SecuritySchemes["ServiceAccounts"].Value.Flows.ClientCredentials.Scopes = map[string]string{"org:write": "write"}
		}},
		{"a media type nothing decodes", "media type application/xml", "/paths/~1orgs~1{orgId}~1liveMigrations~1linkTokens/post/requestBody/content/application~1xml", func(d *openapi3.T) {
			linkTokens(d).Post.RequestBody.Value.Content["application/xml"] = openapi3.NewMediaType().WithSchema(str)
		}},
		{"encoding headers", "encoding headers", "/paths/~1orgs~1{orgId}~1liveMigrations~1linkTokens/post/requestBody/content/multipart~1form-data/encoding/accessListIps/headers", func(d *openapi3.T) {
			m := openapi3.NewMediaType().WithSchema(openapi3.NewObjectSchema().WithProperty("accessListIps", str))
			m.Encoding = map[string]*openapi3.Encoding{"accessListIps": {Headers: openapi3.Headers{"X-Part": {Value: &openapi3.Header{Parameter: openapi3.Parameter{Schema: str.NewRef()}}}}}}
			linkTokens(d).Post.RequestBody.Value.Content["multipart/form-data"] = m
		}},
		{"OpenAPI 3.1", "openapi 3.1.0", "/openapi", func(d *openapi3.T) { d.OpenAPI = "3.1.0" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := docCopy(t)
			tt.change(doc)
			_, err := contract.New(contract.WithDocument(doc))
			var ue *contract.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("New = %v, want an UnsupportedError", err)
			}
			if ue.Feature != tt.feature || ue.At != tt.at {
				t.Errorf("refused %q at %q, want %q at %q (%v)", ue.Feature, ue.At, tt.feature, tt.at, err)
			}
		})
	}
	t.Run("an unknown string format", func(t *testing.T) {
		doc := docCopy(t)
		doc.Components.Schemas["TargetOrg"].Value.Properties["linkToken"].Value.Format = "made-up"
		_, err := contract.New(contract.WithDocument(doc))
		if err == nil || !strings.Contains(err.Error(), "made-up") {
			t.Fatalf("New = %v, want a refusal naming the format", err)
		}
	})
	if _, err := contract.New(contract.WithDocument(docCopy(t))); err != nil {
		t.Fatalf("the contract itself is refused: %v", err)
	}
}

// TestEveryParameterKindIsChecked adds to a copy of the contract a required
// header parameter, a cookie parameter and an array query parameter, and
// requires each to be checked: present and valid passes, absent or invalid
// is a violation naming it.
func TestEveryParameterKindIsChecked(t *testing.T) {
	doc := docCopy(t)
	item := linkTokens(doc)
	pattern := openapi3.NewStringSchema().WithPattern("^[0-9a-f]{8}$")
	pattern.Example = "0123abcd"
	ids := openapi3.NewArraySchema().WithItems(openapi3.NewIntegerSchema().WithMin(1)).WithMaxItems(3)
	session := openapi3.NewStringSchema().WithMinLength(8)
	item.Delete.Parameters = append(item.Delete.Parameters,
		&openapi3.ParameterRef{Value: openapi3.NewHeaderParameter("X-Request-Id").WithRequired(true).WithSchema(pattern).WithDescription("a request id")},
		&openapi3.ParameterRef{Value: openapi3.NewCookieParameter("session").WithSchema(session).WithDescription("a session")},
		&openapi3.ParameterRef{Value: openapi3.NewQueryParameter("ids").WithSchema(ids).WithDescription("ids")},
	)
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	build := func(header http.Header, query string) *contract.Exchange {
		h := http.Header{"Accept": {v2Type}, "Authorization": {digestHdr}}
		for k, vs := range header {
			h[k] = vs
		}
		return &contract.Exchange{
			Request:  &contract.Request{Method: http.MethodDelete, URL: &url.URL{Path: "/api/atlas/v2" + orgPath, RawQuery: query}, Header: h},
			Response: &contract.Response{StatusCode: 204, Header: http.Header{"Ratelimit-Limit": {"500"}, "Ratelimit-Remaining": {"498"}}},
		}
	}
	good := http.Header{"X-Request-Id": {"0123abcd"}, "Cookie": {"session=abcdefgh"}}
	tests := []struct {
		name          string
		header        http.Header
		query         string
		part, pointer string // "" when it conforms
	}{
		{"all valid", good, "ids=1&ids=2", "", ""},
		{"header missing", http.Header{"Cookie": {"session=abcdefgh"}}, "", "header", "/X-Request-Id"},
		{"header off its pattern", http.Header{"X-Request-Id": {"ZZZ"}}, "", "header", "/X-Request-Id"},
		{"cookie too short", http.Header{"X-Request-Id": {"0123abcd"}, "Cookie": {"session=abc"}}, "", "cookie", "/session"},
		{"array item not an integer", good, "ids=1&ids=x", "query", "/ids"},
		{"array item below its minimum", good, "ids=0", "query", "/ids/0"},
		{"array too long", good, "ids=1&ids=2&ids=3&ids=4", "query", "/ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Check(build(tt.header, tt.query))
			if err != nil {
				t.Fatal(err)
			}
			if tt.part == "" {
				if !res.OK() {
					t.Fatalf("want no violation, got %v", res.Violations)
				}
				return
			}
			for _, x := range res.Violations {
				if string(x.Part) == tt.part && x.Pointer == tt.pointer {
					return
				}
			}
			t.Fatalf("want a %s violation at %s, got %v", tt.part, tt.pointer, res.Violations)
		})
	}
}

// TestSecretsComeFromTheDocument: a property the contract marks as a secret
// (format: password) is never quoted in a violation, whatever its name, so
// a secret field added to the contract is redacted with no code change.
func TestSecretsComeFromTheDocument(t *testing.T) {
	doc := docCopy(t)
	secret := openapi3.NewStringSchema()
	secret.Format = "password"
	secret.Pattern = "^[a-z]+$"
	doc.Components.Schemas["TargetOrg"].Value.Properties["apiKeySecret"] = secret.NewRef()
	v, err := contract.New(contract.WithDocument(doc), contract.Strict())
	if err != nil {
		t.Fatal(err)
	}
	const value = "S3CRET-VALUE-never-print"
	ex := createExchange(createBody, []byte(`{"linkToken":"t","apiKeySecret":"`+value+`"}`), nil, nil)
	res, err := v.Check(ex)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) == 0 {
		t.Fatal("no violation for a secret breaking its schema")
	}
	for _, x := range res.Violations {
		if strings.Contains(x.Error(), value) || strings.Contains(x.Error(), "S3CRET") {
			t.Errorf("violation quotes the secret: %v", x)
		}
	}
}

// TestPathServersNarrowWhereAPathIsServed: a path item that lists some of
// the document's servers (OpenAPI's own way to serve a path on v2 only) is
// an operation there and not in the contract on the others.
func TestPathServersNarrowWhereAPathIsServed(t *testing.T) {
	doc := docCopy(t)
	linkTokens(doc).Servers = openapi3.Servers{{URL: doc.Servers[0].URL + "/"}} // v2, a trailing slash aside
	// As oapi-codegen embeds it: the path's servers copied onto an operation.
	linkTokens(doc).Post.Servers = &openapi3.Servers{{URL: doc.Servers[0].URL}}
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	const path = "/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"
	if m, err := v.Match(http.MethodPost, &url.URL{Path: "/api/atlas/v2" + path}); err != nil || m.Operation != "createLinkToken" {
		t.Fatalf("on v2: %v, %v", m, err)
	}
	if m, err := v.Match(http.MethodPost, &url.URL{Path: "/api/atlas/v1.0" + path}); !errors.Is(err, contract.ErrNotInContract) {
		t.Fatalf("on v1.0: %+v, %v; want ErrNotInContract", m, err)
	}
	if m, err := v.Match(http.MethodPut, &url.URL{Path: "/api/atlas/v1.0" + path}); !errors.Is(err, contract.ErrNotInContract) {
		t.Fatalf("an undeclared method on v1.0: %+v, %v; want ErrNotInContract", m, err)
	}
	if got := serverside.ServerAuthSchemes(v, "/api/atlas/v1.0"); len(got) != 0 {
		t.Errorf("v1.0 serves no operation, yet authenticates with %v", got)
	}
}
