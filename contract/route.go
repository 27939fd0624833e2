package contract

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/routers"
)

// ErrNotInContract is returned (wrapped) for a request that is not one of
// the contract's operations: its path has no server's base path, or no path
// of the document under it. Readers, Check and the check command count such
// exchanges and skip them. A known path with an undeclared method is in the
// contract (and breaks it: RuleMethod).
var ErrNotInContract = errors.New("not an operation of the contract")

// Match is where a request leads in the contract: found once, it tells a
// server or a check everything the contract says about the request's
// operation. The zero Match is not valid; [Validator.Match] makes them.
type Match struct {
	// Operation is the operationId; empty when the path is the contract's
	// but the method is not (Allow then lists the methods that are).
	Operation string
	// Method is the request's method.
	Method string
	// Path is the path template of the document ("/orgs/{orgId}/…").
	Path string
	// Server is the base path of the server the request is under
	// ("/api/atlas/v2"), and Prefix whatever stood before it (a mount point,
	// usually empty).
	Server, Prefix string
	// Allow lists the methods the path declares, sorted.
	Allow []string
	// Envelope reports whether the request asked for an enveloped response
	// (the query parameter envelope=true, as MongoDB documents it).
	Envelope bool
	// envelopeLoose: envelope has another value that parses as true
	// (1, t, TRUE…), which kin-openapi accepts and the service may or may
	// not read as true: the response may then be enveloped or plain.
	envelopeLoose bool

	v   *Validator
	srv *server
	op  *operation
	// route and params are what kin-openapi's router found: the route the
	// checks hand its validators (nil for a method the path does not
	// declare), and the path parameters, still escaped.
	route  *routers.Route
	params map[string]string
	// query is the request's query of an operation, parsed once, as
	// kin-openapi parses it (url.ParseQuery, keeping what parsed when part
	// did not: queryErr), for envelope=true and the checks.
	query    url.Values
	queryErr error
}

// Match finds the operation a request is for: on any host and under any
// mount prefix, the server by its base path, then the document's path and
// the method, by kin-openapi's router. A path that is not the contract's
// returns an error wrapping ErrNotInContract.
func (v *Validator) Match(method string, u *url.URL) (*Match, error) {
	m := new(Match)
	if !v.match(method, u, m) {
		return nil, fmt.Errorf("%s %s: %w", method, u.Path, ErrNotInContract)
	}
	return m, nil
}

// underServer: see serverside.UnderServer.
func (v *Validator) underServer(u *url.URL) (base string, ok bool) {
	escaped := u.EscapedPath()
	for _, srv := range v.servers {
		if srv.base != "" && indexSegment(escaped, srv.base) >= 0 {
			return srv.base, true
		}
	}
	return "", false
}

// match fills m; false means not in the contract. The server is found by
// its base path (under any mount prefix, which kin-openapi's router does
// not know of); the rest is the router's.
func (v *Validator) match(method string, u *url.URL, m *Match) bool {
	escaped := u.EscapedPath()
	for _, srv := range v.servers {
		idx := indexSegment(escaped, srv.base)
		if idx < 0 {
			continue
		}
		found, params, err := v.findRoute(method, u, escaped, idx)
		var rt *route
		switch {
		case err == nil:
			rt = v.paths[found.Path]
		case errors.Is(err, routers.ErrMethodNotAllowed):
			// The router names no route for a known path with an
			// undeclared method: find the path with a declared one.
			for _, r := range v.routes {
				if len(r.allow) == 0 || !r.on(srv) {
					continue
				}
				if rr, _, err := v.findRoute(r.allow[0], u, escaped, idx); err == nil && rr.Path == r.path {
					rt = r
					break
				}
			}
		}
		if rt == nil {
			return false
		}
		*m = Match{Method: method, Path: rt.path, Server: srv.base, Prefix: escaped[:idx], Allow: rt.allow, v: v, srv: srv, params: params}
		if op := rt.ops[method]; op != nil && found != nil {
			m.op, m.Operation, m.route = op, op.id, found
			m.query, m.queryErr = url.ParseQuery(u.RawQuery)
			if op.envelopeParam {
				m.Envelope, m.envelopeLoose = queryTrue(m.query[envelopeParam])
			}
		}
		return true
	}
	return false
}

// findRoute runs kin-openapi's router on the request path cut to start at
// the server's base path.
func (v *Validator) findRoute(method string, u *url.URL, escaped string, idx int) (*routers.Route, map[string]string, error) {
	routedURL := u
	if idx > 0 {
		cut := *u
		cut.RawPath = escaped[idx:]
		if p, err := url.PathUnescape(cut.RawPath); err == nil {
			cut.Path = p
		}
		routedURL = &cut
	}
	return v.router.FindRoute(&http.Request{Method: method, URL: routedURL})
}

// queryTrue reports whether a query parameter's values set it to "true"
// (exact), or else to another value that parses as true (loose), reading
// the value as kin-openapi does (the first non-empty one).
func queryTrue(values []string) (exact, loose bool) {
	for _, s := range values {
		if s == "" {
			continue
		}
		if s == "true" {
			return true, false
		}
		b, err := strconv.ParseBool(s)
		return false, err == nil && b
	}
	return false, false
}

// route is one path of the document: its operations by method.
type route struct {
	path  string
	ops   map[string]*operation
	allow []string // the declared methods, sorted
	// servers is nil when the path is served on every server of the
	// document, else which of them its path item lists.
	servers map[*server]bool
}

// on reports whether the path is served on srv.
func (rt *route) on(srv *server) bool { return rt.servers == nil || rt.servers[srv] }

// routeOf is the route kin-openapi's router gives a request for op on srv
// (with no path parameters read): what a check of a response alone hands
// its validators.
func (v *Validator) routeOf(srv *server, rt *route, method string) *routers.Route {
	item := v.doc.Paths.Value(rt.path)
	return &routers.Route{Spec: v.doc, Server: srv.routed, Path: rt.path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// indexSegment finds base in path where it starts a segment and ends one.
func indexSegment(path, base string) int {
	if base == "" {
		return 0
	}
	from := 0
	for {
		i := strings.Index(path[from:], base)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(base)
		if (i == 0 || path[i-1] == '/' || base[0] == '/') && (end == len(path) || path[end] == '/') {
			return i
		}
		from = i + 1
	}
}
