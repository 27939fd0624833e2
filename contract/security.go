package contract

import (
	"strings"
)

// Credentials are checked as a contract, never for correctness: that a
// request carries a well-formed Authorization of a scheme its API version
// accepts. Whether the digest response or the token is right is the
// server's business. What is found is described by scheme and missing
// parameters only; no credential is ever copied into a violation.

// checkAuthorization returns what is wrong with an Authorization value, or
// ok. value is non-empty.
func checkAuthorization(value string, srv *server, op *operation) (expected, found string, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	rest = strings.TrimSpace(rest)
	expected = expectedAuth(srv, op)
	switch {
	case strings.EqualFold(scheme, "Digest") && op.digest:
		if problem := checkDigest(rest); problem != "" {
			return "a well-formed Digest Authorization (RFC 7616)", "Digest " + problem, false
		}
		return "", "", true
	case strings.EqualFold(scheme, "Bearer") && op.bearer:
		if !srv.bearer {
			return expected, "Bearer, which " + srv.base + " does not accept", false
		}
		if !isToken68(rest) {
			return "Bearer followed by a token", "Bearer with a malformed or empty token", false
		}
		return "", "", true
	}
	if scheme == "" {
		return expected, "an empty Authorization header", false
	}
	return expected, "scheme " + quoteScheme(scheme), false
}

func expectedAuth(srv *server, op *operation) string {
	switch {
	case op.digest && op.bearer && srv.bearer:
		return "Authorization: Digest … or Bearer …"
	case op.digest:
		return "Authorization: Digest …"
	case op.bearer && srv.bearer:
		return "Authorization: Bearer …"
	}
	return "no credentials"
}

// quoteScheme shows a scheme name, cut short: it may be a credential pasted
// without one.
func quoteScheme(s string) string {
	if len(s) > 16 || strings.ContainsAny(s, "=:") {
		return "(unrecognised)"
	}
	return `"` + s + `"`
}

// checkDigest checks the parameters of a Digest credential (RFC 7616 §3.4)
// and returns what is wrong, or "".
func checkDigest(params string) string {
	p, ok := parseAuthParams(params)
	if !ok {
		return "with malformed parameters"
	}
	for _, name := range []string{"username", "realm", "nonce", "uri", "response"} {
		if _, ok := p[name]; !ok {
			return "without " + name
		}
	}
	algorithm := strings.ToUpper(p["algorithm"])
	want := 32
	switch algorithm {
	case "", "MD5", "MD5-SESS":
	case "SHA-256", "SHA-256-SESS":
		want = 64
	default:
		return "with an unknown algorithm"
	}
	if r := p["response"]; len(r) != want || !isHex(r) {
		return "with a response that is not a hex digest of the algorithm's length"
	}
	if qop, ok := p["qop"]; ok {
		if qop != "auth" && qop != "auth-int" {
			return `with qop other than "auth" or "auth-int"`
		}
		if nc := p["nc"]; len(nc) != 8 || !isHex(nc) {
			return "with qop but no 8-digit hex nc"
		}
		if p["cnonce"] == "" {
			return "with qop but no cnonce"
		}
	}
	return ""
}

// parseAuthParams parses `a=b, c="d"` (RFC 9110 §11.2 auth-params).
func parseAuthParams(s string) (map[string]string, bool) {
	out := make(map[string]string, 10)
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, len(out) > 0
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, false
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			closed := false
			for ; i < len(s); i++ {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					i++
					b.WriteByte(s[i])
					continue
				}
				if c == '"' {
					closed = true
					break
				}
				b.WriteByte(c)
			}
			if !closed {
				return nil, false
			}
			val, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
			if val == "" {
				return nil, false
			}
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return nil, false
		}
		out[name] = val
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// isToken68 reports whether s is an RFC 9110 token68.
func isToken68(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
