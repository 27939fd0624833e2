// Package pathvariant tells a request path that is not the contract's but
// normalises to one of its paths (other case, percent-encoded letters,
// empty or dot segments, ;parameters, a trailing slash) from a path the
// contract does not name. An upstream that normalises paths (as many
// routers do) acts on such a request as on the contract's, so it is judged
// as that path, and is a violation of its own (Rule). linktoken proxy and
// the check of recorded traffic share it, so that an archive the proxy
// recorded checks as its traffic did live.
package pathvariant

import (
	"net/url"
	"path"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// Rule is the violation of a request whose path is a variant of the
// contract's.
const Rule = "path-variant"

// Paths knows how the contract writes its paths.
type Paths struct {
	v *contract.Validator
	// literals maps each literal segment of the servers' base paths and
	// the path templates, lower-cased, to how the contract writes it.
	literals map[string]string
	// tokenPaths are the paths of the security schemes' token endpoints:
	// not operations, but the contract names them.
	tokenPaths map[string]bool
}

// New reads how v's document writes its paths.
func New(v *contract.Validator) *Paths {
	doc := v.Document()
	p := &Paths{v: v, literals: map[string]string{}, tokenPaths: map[string]bool{}}
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
	for _, path := range doc.Paths.InMatchingOrder() {
		addLiterals(path)
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

// Match is the validator's Match, or, for a path the contract does not
// name that is a variant of one it does, the match of that path: canon is
// then the URL the request is judged as (nil when u's path is the
// contract's), and the request breaks Rule (see Violation).
func (p *Paths) Match(method string, u *url.URL) (m *contract.Match, canon *url.URL, err error) {
	m, err = p.v.Match(method, u)
	if err == nil {
		return m, nil, nil
	}
	c, ok := p.variantOf(u)
	if !ok {
		return nil, nil, err
	}
	if m, err := p.v.Match(method, c); err == nil {
		return m, c, nil
	}
	return nil, nil, err
}

// Violation is the violation of the named exchange, matched as m, whose
// request path was a variant of m's.
func Violation(name string, m *contract.Match) *contract.Violation {
	return &contract.Violation{Exchange: name, Side: contract.SideRequest, Part: contract.PartPath,
		Rule: Rule, Expected: "the path as the contract writes it, " + m.Server + m.Path,
		Found: "a variant of it (case, percent-encoding, empty or dot segments, ;parameters or a trailing slash): judged as that path"}
}

// TokenEndpoint reports whether u's path, or the path it is a variant of,
// is a security scheme's token endpoint: not an operation, but named by
// the contract.
func (p *Paths) TokenEndpoint(u *url.URL) bool {
	return p.tokenPaths[p.canonical(u.EscapedPath())]
}

// canonical is the path as the contract would write it: ;parameters
// dropped, percent-encoded unreserved characters decoded, literal segments
// in the contract's case, then empty and dot segments and a trailing
// slash removed. It takes and returns an escaped path.
func (p *Paths) canonical(escaped string) string {
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
func (p *Paths) variantOf(u *url.URL) (*url.URL, bool) {
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
