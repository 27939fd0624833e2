package contract

import (
	"maps"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/serverside/hook"
)

// What a server on the contract needs to know about a request beyond its
// route, from the contract rather than from literals: the schemes it may
// authenticate with, the media type its success body goes out in, and the
// answer to a request that breaks the contract. None of it is public:
// contract lends it to internal/serverside (see there for each), for this
// module's own servers, and importers of contract never see it.
func init() {
	hook.Lend(hook.Funcs[*Validator, *Match, *Exchange, *Result]{
		Negotiate:         (*Match).negotiate,
		AuthSchemes:       (*Match).authSchemes,
		Anonymous:         (*Match).anonymous,
		PathParams:        (*Match).unescapedPathParams,
		ServerAuthSchemes: (*Validator).serverAuthSchemes,
		UnderServer:       (*Validator).underServer,
		CheckMatch:        (*Validator).checkMatch,
		Refuse:            refuse,
		ExplainCut:        explainCut,
	})
}

// authSchemes: see serverside.AuthSchemes.
func (m *Match) authSchemes() []string {
	if m.op == nil {
		return nil
	}
	return m.op.challengeSchemes(m.srv)
}

// anonymous: see serverside.Anonymous.
func (m *Match) anonymous() bool { return m.op != nil && m.op.anonymous }

// unescapedPathParams: see serverside.PathParams.
func (m *Match) unescapedPathParams() map[string]string {
	out := maps.Clone(m.params)
	for k, v := range out {
		if u, err := url.PathUnescape(v); err == nil {
			out[k] = u
		}
	}
	return out
}

// negotiate: see serverside.Negotiate.
func (m *Match) negotiate(accept []string) (string, error) {
	if m.op == nil {
		return "", ErrNotInContract
	}
	declared := m.op.successTypes()
	list := m.srv.responses
	var candidates []string
	for _, d := range declared {
		if _, ok := list.match(d); ok || len(list) == 0 {
			candidates = append(candidates, d)
		}
	}
	if len(candidates) == 0 {
		candidates = declared
	}
	if len(candidates) == 0 {
		return "", hook.ErrNotAcceptable
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
				return "", hook.ErrNotAcceptable
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
		return "", hook.ErrNotAcceptable
	}
	for _, c := range candidates {
		if acceptsAnyOf(accept, []string{c}) {
			return c, nil
		}
	}
	return "", hook.ErrNotAcceptable
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

// serverAuthSchemes: see serverside.ServerAuthSchemes.
func (v *Validator) serverAuthSchemes(base string) []string {
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
				for _, s := range op.challengeSchemes(srv) {
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
