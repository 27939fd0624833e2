package contract

import (
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// UnsupportedError is New's refusal of a document that uses a part of
// OpenAPI this package would not check: rather than pass traffic that breaks
// that part, it refuses the document. Feature names the part, At where it is
// (a JSON pointer into the document).
type UnsupportedError struct {
	Feature string
	At      string
	Why     string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("contract: unsupported: %s at %s: %s", e.Feature, e.At, e.Why)
}

// audit refuses what no check of this package (kin-openapi's, or its own on
// top) would look at. What kin-openapi checks is not listed: parameters of
// every kind, style and explode; bodies in any media type it has a decoder
// for; response headers; and security requirements, which this package
// applies as kin-openapi does (judgeSecurity). Everything refused here is a
// feature whose traffic this package cannot see or judge.
func audit(doc *openapi3.T) error {
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		return &UnsupportedError{"openapi " + doc.OpenAPI, "/openapi",
			"only OpenAPI 3.0 documents are checked (3.1 changes what schemas mean: nullable, exclusive bounds, type lists)"}
	}
	for i, s := range doc.Servers {
		if strings.Contains(serverPath(s.URL), "{") {
			return &UnsupportedError{"server variable in the base path", fmt.Sprintf("/servers/%d/url", i),
				"the base path is how a request finds its server, on any host"}
		}
		if raw, ok := s.Extensions[extMediaTypes]; ok {
			if _, _, err := parseServerMediaTypes(raw); err != nil {
				return &UnsupportedError{extMediaTypes, fmt.Sprintf("/servers/%d/%s", i, extMediaTypes), err.Error()}
			}
		}
	}
	for name, ref := range doc.Components.SecuritySchemes {
		if err := auditScheme(name, ref.Value); err != nil {
			return err
		}
	}
	if err := auditRequirements(doc.Security, "/security"); err != nil {
		return err
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		at := "/paths/" + pointerEscape(path)
		for i, s := range item.Servers {
			if !docServer(doc, s.URL) {
				return &UnsupportedError{"a server of its own on a path", fmt.Sprintf("%s/servers/%d/url", at, i),
					"a path item may list some of the document's servers (a path served on v2 only lists the v2 server); " +
						"a server the document does not list has no base path or media types the checks know: add it to the document's servers"}
			}
		}
		for method, op := range item.Operations() {
			opAt := at + "/" + strings.ToLower(method)
			if len(op.Callbacks) > 0 {
				return &UnsupportedError{"callbacks", opAt + "/callbacks",
					"a callback is a request the server makes elsewhere; no exchange of it passes through a check"}
			}
			// oapi-codegen copies a path item's servers onto each of its
			// operations in the spec it embeds (pkg/codegen/operations.go):
			// the same servers there say nothing the router does not read.
			if op.Servers != nil && len(*op.Servers) > 0 && !sameServers(*op.Servers, item.Servers) {
				return &UnsupportedError{"servers on an operation", opAt + "/servers",
					"kin-openapi's router reads the servers of the document and of path items only: " +
						"write servers on the path item (an operation served on fewer servers than its path's others needs a path of its own)"}
			}
			if op.Security != nil {
				if err := auditRequirements(*op.Security, opAt+"/security"); err != nil {
					return err
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if err := auditContent(rb.Value.Content, opAt+"/requestBody/content"); err != nil {
					return err
				}
			}
			for key, ref := range op.Responses.Map() {
				if err := auditContent(ref.Value.Content, opAt+"/responses/"+key+"/content"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// docServer reports whether u is the URL of one of the document's servers
// (a trailing slash aside).
func docServer(doc *openapi3.T, u string) bool {
	for _, s := range doc.Servers {
		if strings.TrimSuffix(s.URL, "/") == strings.TrimSuffix(u, "/") {
			return true
		}
	}
	return false
}

// sameServers reports whether a and b list the same server URLs (a
// trailing slash aside), in any order.
func sameServers(a, b openapi3.Servers) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		found := false
		for _, t := range b {
			found = found || strings.TrimSuffix(s.URL, "/") == strings.TrimSuffix(t.URL, "/")
		}
		if !found {
			return false
		}
	}
	return true
}

// serverPath is the path of a server URL, variables and all (url.Parse
// refuses "{host}").
func serverPath(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return ""
	}
	return u
}

func auditScheme(name string, s *openapi3.SecurityScheme) error {
	at := "/components/securitySchemes/" + pointerEscape(name)
	switch s.Type {
	case "http", "apiKey", "oauth2", "openIdConnect":
	default:
		return &UnsupportedError{"security scheme type " + s.Type, at + "/type",
			"credentials of this type do not travel in the request (or are not defined by OpenAPI 3.0)"}
	}
	if raw, ok := s.Extensions[extServers]; ok {
		list, ok := raw.([]any)
		if !ok || len(list) == 0 {
			return &UnsupportedError{extServers, at + "/" + extServers, "want a non-empty list of server URLs"}
		}
	}
	return nil
}

// auditRequirements refuses scopes: a token's scopes are not in the traffic,
// so a requirement that names some could never be checked.
func auditRequirements(reqs openapi3.SecurityRequirements, at string) error {
	for i, req := range reqs {
		for _, name := range slices.Sorted(maps.Keys(req)) {
			if len(req[name]) > 0 {
				return &UnsupportedError{"required scopes", fmt.Sprintf("%s/%d/%s", at, i, pointerEscape(name)),
					"the scopes a token carries are not visible in its traffic"}
			}
		}
	}
	return nil
}

// auditContent refuses media types kin-openapi has no decoder for (it would
// fail every body in them, conforming or not) and encoding headers (which no
// decoder reads).
func auditContent(content openapi3.Content, at string) error {
	for mt, m := range content {
		base, _, err := mime.ParseMediaType(mt)
		if err != nil {
			base = strings.ToLower(mt)
		}
		if !strings.Contains(base, "*") && openapi3filter.RegisteredBodyDecoder(base) == nil && !isJSONMediaType(base) {
			return &UnsupportedError{"media type " + mt, at + "/" + pointerEscape(mt),
				"kin-openapi has no decoder for it, so no body in it could be checked"}
		}
		for name, enc := range m.Encoding {
			if enc != nil && len(enc.Headers) > 0 {
				return &UnsupportedError{"encoding headers", at + "/" + pointerEscape(mt) + "/encoding/" + pointerEscape(name) + "/headers",
					"the headers of a multipart part are not checked"}
			}
		}
	}
	return nil
}
