package contract

import (
	"fmt"
	"slices"
	"sort"
)

// What a server built on the contract needs to know beyond one request's
// match: every operation it must serve, and what it challenges with when a
// request reaches no operation. (serving.go holds what it needs per match.)

// Route is one operation of the contract, as a server registers it.
type Route struct {
	// Operation is the operationId.
	Operation string
	// Method is the HTTP method, upper case.
	Method string
	// Path is the path template of the document ("/orgs/{orgId}/…"), as
	// oapi-codegen's generated routers register it under a base URL.
	Path string
}

// Pattern is the route as a net/http ServeMux pattern without a base path
// ("POST /orgs/{orgId}/…"): what oapi-codegen's generated HandlerWithOptions
// registers (with BaseURL "") and what Match.Method and Match.Path give.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Routes lists every operation of the contract, sorted by path, then
// method: a server checks it has a handler for each before it serves.
func (v *Validator) Routes() []Route {
	var out []Route
	for _, rt := range v.routes {
		for method, op := range rt.ops {
			out = append(out, Route{Operation: op.id, Method: method, Path: rt.path})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// ServerAuthSchemes lists, lower case, the Authorization schemes some
// operation accepts on the server whose base path is base (as
// [Validator.UnderServer] or Match.Server give it): what a server
// authenticates a request with when it reaches no operation there (a path
// that is none of the contract's, a method the path does not declare),
// before it answers 404 or 405. Nil for an unknown base.
func (v *Validator) ServerAuthSchemes(base string) []string {
	for _, srv := range v.servers {
		if srv.base != base {
			continue
		}
		var out []string
		for _, rt := range v.routes {
			if !rt.on(srv) {
				continue
			}
			for _, op := range rt.ops {
				for _, s := range v.challengeSchemes(op, srv) {
					if !slices.Contains(out, s) {
						out = append(out, s)
					}
				}
			}
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// MaxRefusedFields bounds the fields a refusal (Refuse, Middleware) lists
// in badRequestDetail.fields: a small body can break the contract in
// thousands of places (13,000 bad entries in 52 KB), and a server must not
// answer it with megabytes. The detail says how many more there were.
const MaxRefusedFields = 100

// RefusalDetail is the detail of a refusal that lists listed of found
// offending fields: the contract's sentence, and how many were left out.
// A server that refuses on its own account (without the validator) uses it
// to cap its own list the same way.
func RefusalDetail(listed, found int) string {
	const detail = "The request does not conform to the API specification."
	if found <= listed {
		return detail
	}
	return fmt.Sprintf("%s %d more violations are not listed.", detail, found-listed)
}
