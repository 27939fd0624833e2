package contract

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// What a server on the contract needs to know about a request beyond its
// route, from the contract rather than from literals: the schemes it may
// authenticate with, the media type its success body goes out in, and the
// answer to a request that breaks the contract.

// ErrNotAcceptable is returned by Match.Negotiate when Accept names no media
// type the operation can answer in on its server.
var ErrNotAcceptable = errors.New("no acceptable media type")

// AuthSchemes lists, lower case, the Authorization schemes the operation
// accepts on the request's server ("bearer", "digest"): x-atlas-servers
// restricts a scheme to some servers.
func (m *Match) AuthSchemes() []string {
	if m.op == nil {
		return nil
	}
	return m.v.challengeSchemes(m.op, m.srv)
}

// Anonymous reports whether the operation may be called without
// credentials.
func (m *Match) Anonymous() bool { return m.op != nil && m.op.anonymous }

// UnescapedPathParams are the path parameters, unescaped as a server reads
// them (a value that does not unescape is kept as sent).
func (m *Match) UnescapedPathParams() map[string]string {
	out := m.PathParams()
	for k, v := range out {
		if u, err := url.PathUnescape(v); err == nil {
			out[k] = u
		}
	}
	return out
}

// Negotiate picks the media type a success body of the operation goes out
// in, given the request's Accept values, as the live service picks it:
// on a server whose success bodies are versioned
// (application/vnd.atlas.{version}+json), the newest version the operation
// declares that is not after the date Accept names (MongoDB's versioning),
// or the newest declared when Accept names no date but admits JSON
// (assumed); elsewhere, the server's type, when Accept admits it (an
// absent Accept admits anything). ErrNotAcceptable when
// nothing fits. An operation without success bodies gets the server's
// first success type all the same: the live service sends a Content-Type
// on a 204.
func (m *Match) Negotiate(accept []string) (string, error) {
	if m.op == nil {
		return "", ErrNotInContract
	}
	declared := m.op.successTypes()
	list := m.srv.responses
	var candidates []string
	for _, d := range declared {
		if len(list) == 0 || func() bool { _, ok := list.match(d); return ok }() {
			candidates = append(candidates, d)
		}
	}
	if len(candidates) == 0 {
		candidates = declared
	}
	if len(candidates) == 0 {
		return "", ErrNotAcceptable
	}
	var versioned []string // "date mediatype", sortable
	for _, c := range candidates {
		if v, ok := list.match(c); ok && v != "" {
			versioned = append(versioned, v+" "+c)
		}
	}
	if len(versioned) > 0 {
		slices.Sort(versioned)
		asked := list.requestedVersion(accept)
		if asked == "" {
			// No version asked for: the newest, to any Accept that admits
			// JSON (assumed: the live answer to a versionless Accept is not
			// recorded, so the stand-in is lenient).
			if !acceptsAnyOf(accept, append(candidates, "application/json")) {
				return "", ErrNotAcceptable
			}
			_, mt, _ := strings.Cut(versioned[len(versioned)-1], " ")
			return mt, nil
		}
		for i := len(versioned) - 1; i >= 0; i-- {
			date, mt, _ := strings.Cut(versioned[i], " ")
			if date <= asked {
				return mt, nil
			}
		}
		return "", ErrNotAcceptable
	}
	for _, c := range candidates {
		if acceptsAnyOf(accept, []string{c}) {
			return c, nil
		}
	}
	return "", ErrNotAcceptable
}

// successTypes are the media types of the operation's 2xx bodies, sorted.
func (o *operation) successTypes() []string {
	var out []string
	for key, rs := range o.responses {
		if !strings.HasPrefix(key, "2") {
			continue
		}
		for _, d := range rs.declared {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// acceptsAnyOf reports whether Accept admits one of the media types: no
// Accept admits all; a range admits by type/subtype, type/* or */*, unless
// its q is 0. A versioned Atlas type in Accept is the versioning rule's,
// not this one's.
func acceptsAnyOf(accept []string, types []string) bool {
	var ranges []string
	for _, v := range accept {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				ranges = append(ranges, r)
			}
		}
	}
	if len(ranges) == 0 {
		return true
	}
	for _, r := range ranges {
		mt, params, err := mime.ParseMediaType(r)
		if err != nil || weightZero(params) {
			continue
		}
		typ, _, _ := strings.Cut(mt, "/")
		for _, t := range types {
			if mt == "*/*" || mt == t || mt == typ+"/*" && strings.HasPrefix(t, typ+"/") {
				return true
			}
		}
	}
	return false
}

// Refuse answers a request whose Result breaks the contract, as
// Middleware does (see there): 400, 405, 413 or 415 with an Atlas-style
// ApiError naming every offending field (the first MaxRefusedFields, the
// detail saying how many more there were). Credentials are not refused here:
// a server's authentication answers them with its challenge. It reports
// whether it wrote a response.
func Refuse(w http.ResponseWriter, m *Match, res *Result) bool {
	return refuse(w, m, res)
}
