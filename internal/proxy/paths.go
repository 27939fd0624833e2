package proxy

import (
	"net/url"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// RulePathVariant is the violation of a request whose path is not the
// contract's but normalises to it: an upstream that normalises paths (as
// many routers do) would act on it as on the contract's, unchecked.
const RulePathVariant = "path-variant"

// paths knows how the contract writes its paths, to tell a variant of one
// (other case, percent-encoded letters, empty or dot segments, ;parameters,
// a trailing slash) from a path the contract does not name.
type paths struct {
	// literals maps each literal segment of the servers' base paths and
	// the path templates, lower-cased, to how the contract writes it.
	literals map[string]string
	// tokenPaths are the paths of the security schemes' token endpoints:
	// not operations, but the contract names them.
	tokenPaths map[string]bool
}

func newPaths(v *contract.Validator, doc *openapi3.T) *paths {
	p := &paths{literals: map[string]string{}, tokenPaths: map[string]bool{}}
	addLiterals := func(s string) {
		for _, seg := range strings.Split(s, "/") {
			if seg != "" && !strings.HasPrefix(seg, "{") {
				p.literals[strings.ToLower(seg)] = seg
			}
		}
	}
	for _, s := range doc.Servers {
		if u, err := url.Parse(s.URL); err == nil {
			addLiterals(u.Path)
		}
	}
	for _, r := range v.Routes() {
		addLiterals(r.Path)
	}
	if doc.Components != nil {
		for _, ref := range doc.Components.SecuritySchemes {
			if s := ref.Value; s != nil && s.Flows != nil && s.Flows.ClientCredentials != nil {
				if u, err := url.Parse(s.Flows.ClientCredentials.TokenURL); err == nil {
					p.tokenPaths[u.Path] = true
				}
			}
		}
	}
	return p
}

// canonical is the path as the contract would write it: ;parameters
// dropped, percent-encoded unreserved characters decoded, literal segments
// in the contract's case, then empty and dot segments and a trailing
// slash removed. It takes and returns an escaped path.
func (p *paths) canonical(escaped string) string {
	segs := strings.Split(escaped, "/")
	for i, seg := range segs {
		seg, _, _ = strings.Cut(seg, ";")
		seg = decodeUnreserved(seg)
		if lit, ok := p.literals[strings.ToLower(seg)]; ok {
			seg = lit
		}
		segs[i] = seg
	}
	return path.Clean("/" + strings.Join(segs, "/"))
}

// decodeUnreserved decodes the percent-encodings of RFC 3986's unreserved
// characters, which mean the same encoded or not (§2.3); every other
// encoding stays as it is.
func decodeUnreserved(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if c, err := url.PathUnescape(s[i : i+3]); err == nil && isUnreserved(c[0]) {
				b.WriteByte(c[0])
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// variantOf reports the URL a variant path stands for, when u's path is
// not the contract's but its canonical form is.
func (p *paths) variantOf(u *url.URL) (*url.URL, bool) {
	raw := u.EscapedPath()
	canon := p.canonical(raw)
	if canon == raw {
		return nil, false
	}
	out := *u
	out.RawPath = canon
	var err error
	if out.Path, err = url.PathUnescape(canon); err != nil {
		return nil, false
	}
	return &out, true
}
