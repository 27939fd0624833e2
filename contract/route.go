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

	v    *Validator
	srv  *server
	rt   *route
	op   *operation
	vals pathValues
}

// PathParam is the raw (still escaped) value of a path parameter, or "".
func (m *Match) PathParam(name string) string {
	for i, p := range m.rt.params {
		if p == name && i < m.vals.n {
			return m.vals.v[i]
		}
	}
	return ""
}

// PathParams lists the path parameters' names and raw values, in the order
// of the path template.
func (m *Match) PathParams() map[string]string {
	out := make(map[string]string, m.vals.n)
	for i := 0; i < m.vals.n && i < len(m.rt.params); i++ {
		out[m.rt.params[i]] = m.vals.v[i]
	}
	return out
}

// Match finds the operation a request is for: on any host and under any
// mount prefix, the server by its base path, then the document's path and
// the method, as kin-openapi's router finds them. A path that is not the
// contract's returns an error wrapping ErrNotInContract.
func (v *Validator) Match(method string, u *url.URL) (*Match, error) {
	m := new(Match)
	if !v.match(method, u, m) {
		return nil, fmt.Errorf("%s %s: %w", method, u.Path, ErrNotInContract)
	}
	return m, nil
}

// UnderServer reports whether a request path is under one of the
// document's servers (on any host, under any prefix), and which: a server
// answers a path there that is no operation's with its own 404, after
// authentication.
func (v *Validator) UnderServer(u *url.URL) (base string, ok bool) {
	escaped := u.EscapedPath()
	for _, srv := range v.servers {
		if srv.base != "" && indexSegment(escaped, srv.base) >= 0 {
			return srv.base, true
		}
	}
	return "", false
}

// InContract reports whether a request path is one of the contract's
// operations' paths (on any host, under any prefix), whatever the method.
func (v *Validator) InContract(u *url.URL) bool {
	var m Match
	return v.match(http.MethodGet, u, &m)
}

// match fills m; false means not in the contract. A path the fast matcher
// knows costs no allocation; anything else is asked of kin-openapi's router
// (a path template with text around a parameter, say), so that the two can
// never disagree about what the contract covers (FuzzRoutingAgreesWithKinOpenAPI).
func (v *Validator) match(method string, u *url.URL, m *Match) bool {
	escaped := u.EscapedPath()
	for _, srv := range v.servers {
		idx := indexSegment(escaped, srv.base)
		if idx < 0 {
			continue
		}
		rest := escaped[idx+len(srv.base):]
		for _, rt := range v.routes {
			if !rt.fast {
				continue
			}
			if vals, ok := matchSegments(rt.segments, rest); ok {
				v.fill(m, method, u, srv, escaped[:idx], rt, vals)
				return true
			}
		}
		if v.hasSlowRoutes() {
			return v.matchWithRouter(method, u, escaped, idx, srv, m)
		}
		return false
	}
	return false
}

func (v *Validator) fill(m *Match, method string, u *url.URL, srv *server, prefix string, rt *route, vals pathValues) {
	*m = Match{Method: method, Path: rt.path, Server: srv.base, Prefix: prefix, Allow: rt.allow, v: v, srv: srv, rt: rt, vals: vals}
	if op := rt.ops[method]; op != nil {
		m.op, m.Operation = op, op.id
		if op.envelopeParam {
			m.Envelope, m.envelopeLoose = queryTrue(u.RawQuery, envelopeParam)
		}
	}
}

func (v *Validator) hasSlowRoutes() bool {
	for _, rt := range v.routes {
		if !rt.fast {
			return true
		}
	}
	return false
}

// matchWithRouter asks kin-openapi's router, for the paths the fast matcher
// does not handle.
func (v *Validator) matchWithRouter(method string, u *url.URL, escaped string, idx int, srv *server, m *Match) bool {
	found, params, err := v.findRoute(method, u, escaped, idx, srv)
	if err != nil && !errors.Is(err, routers.ErrMethodNotAllowed) {
		return false
	}
	var rt *route
	if found != nil {
		for _, r := range v.routes {
			if r.path == found.Path {
				rt = r
			}
		}
	} else {
		// The router names no route for a known path with an unknown
		// method: find the path with any declared method.
		for _, r := range v.routes {
			if len(r.allow) > 0 {
				if rr, _, err := v.findRoute(r.allow[0], u, escaped, idx, srv); err == nil && rr.Path == r.path {
					rt = r
					break
				}
			}
		}
	}
	if rt == nil || rt.fast {
		return false // a fast route the fast matcher did not match: not this path
	}
	var vals pathValues
	for _, p := range rt.params {
		if vals.n < maxPathParams {
			vals.v[vals.n] = params[p]
			vals.n++
		}
	}
	v.fill(m, method, u, srv, escaped[:idx], rt, vals)
	return true
}

// findRoute runs kin-openapi's router on the request path cut to start at
// the server's base path.
func (v *Validator) findRoute(method string, u *url.URL, escaped string, idx int, srv *server) (*routers.Route, map[string]string, error) {
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

// queryTrue reports whether a raw query sets name to "true" (exact), or
// else to another value that parses as true (loose), reading the value as
// kin-openapi does (the first non-empty one).
func queryTrue(rawQuery, name string) (exact, loose bool) {
	if !strings.Contains(rawQuery, name) && !strings.Contains(rawQuery, "%") {
		return false, false
	}
	vals, _ := url.ParseQuery(rawQuery)
	for _, s := range vals[name] {
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

// route is one path of the document.
type route struct {
	path     string
	segments []string // "orgs", "{orgId}", …; a parameter segment starts with '{'
	params   []string // the parameters' names, in order
	fast     bool     // every segment is a literal or a whole {parameter}
	ops      map[string]*operation
	allow    []string
}

func newRoute(path string) *route {
	r := &route{path: path, segments: strings.Split(strings.Trim(path, "/"), "/"), ops: map[string]*operation{}, fast: true}
	for _, seg := range r.segments {
		open, close := strings.IndexByte(seg, '{'), strings.IndexByte(seg, '}')
		switch {
		case open < 0 && close < 0:
		case open == 0 && close == len(seg)-1 && !strings.ContainsAny(seg[1:close], "{}:"):
			r.params = append(r.params, seg[1:close])
		default:
			// Text around a parameter, or a gorilla/mux pattern: the router's.
			r.fast = false
			for _, part := range strings.Split(seg, "{")[1:] {
				name, _, _ := strings.Cut(part, "}")
				name, _, _ = strings.Cut(name, ":")
				r.params = append(r.params, name)
			}
		}
	}
	if strings.HasSuffix(path, "/") && path != "/" || len(r.params) > maxPathParams {
		r.fast = false
	}
	return r
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

// maxPathParams bounds the path parameters of one fast route, so that
// matching a path returns its values in a fixed array and costs no
// allocation (the contract's one path has one parameter).
const maxPathParams = 4

// pathValues are the raw values of a route's path parameters, in order.
type pathValues struct {
	n int
	v [maxPathParams]string
}

// matchSegments matches rest ("/orgs/abc/liveMigrations/linkTokens")
// against a template's segments exactly as gorilla/mux does with encoded
// paths: literal segments byte for byte, a parameter any non-empty run of
// bytes other than '/', no trailing slash unless the template has one.
func matchSegments(segs []string, rest string) (pathValues, bool) {
	if len(rest) == 0 || rest[0] != '/' {
		return pathValues{}, false
	}
	rest = rest[1:]
	var vals pathValues
	for i, seg := range segs {
		var part string
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			part, rest = rest, ""
			if i != len(segs)-1 {
				return pathValues{}, false
			}
		} else {
			part, rest = rest[:j], rest[j+1:]
			if i == len(segs)-1 {
				return pathValues{}, false
			}
		}
		if len(seg) > 0 && seg[0] == '{' {
			if part == "" {
				return pathValues{}, false
			}
			vals.v[vals.n] = part
			vals.n++
			continue
		}
		if part != seg {
			return pathValues{}, false
		}
	}
	return vals, true
}
