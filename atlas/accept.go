package atlas

import (
	"net/http"
	"strings"
)

// acceptFor is the Accept a request sends: plain JSON on v1.0; on v2 the
// resource version of the operation the request is for, found by its
// method and its path under base (the server's base path) in
// versionedAccept, since each resource has its own versions and a date
// before a resource's first is refused. A path the table does not know
// (a raw call to an operation this module was not generated with) gets
// fallback, the version's default.
func acceptFor(req *http.Request, base, fallback string) string {
	path, ok := strings.CutPrefix(req.URL.EscapedPath(), base)
	if !ok {
		return fallback
	}
	best, literals := fallback, -1
	for key, mt := range versionedAccept {
		method, tmpl, _ := strings.Cut(key, " ")
		if method != req.Method {
			continue
		}
		// The template with the most literal segments wins, as routers
		// prefer /a/b to /a/{x}.
		if n, ok := matchTemplate(tmpl, path); ok && n > literals {
			best, literals = mt, n
		}
	}
	return best
}

// matchTemplate reports whether path fits the path template tmpl
// ("/orgs/{orgId}/…"), a {name} standing for one non-empty segment, and
// how many of its segments are literal.
func matchTemplate(tmpl, path string) (literals int, ok bool) {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	for i, t := range ts {
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if ps[i] == "" {
				return 0, false
			}
		case t != ps[i]:
			return 0, false
		default:
			literals++
		}
	}
	return literals, true
}
