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
// and returns what is wrong, or "". It allocates nothing on success.
func checkDigest(params string) string {
	var response, algorithm, qop, nc, cnonce string
	var seen uint16
	const (
		hUsername = 1 << iota
		hRealm
		hNonce
		hURI
		hResponse
		hQop
	)
	ok := walkAuthParams(params, func(name, val string) {
		switch {
		case strings.EqualFold(name, "username"):
			seen |= hUsername
		case strings.EqualFold(name, "realm"):
			seen |= hRealm
		case strings.EqualFold(name, "nonce"):
			seen |= hNonce
		case strings.EqualFold(name, "uri"):
			seen |= hURI
		case strings.EqualFold(name, "response"):
			response, seen = val, seen|hResponse
		case strings.EqualFold(name, "algorithm"):
			algorithm = val
		case strings.EqualFold(name, "qop"):
			qop, seen = val, seen|hQop
		case strings.EqualFold(name, "nc"):
			nc = val
		case strings.EqualFold(name, "cnonce"):
			cnonce = val
		}
	})
	if !ok {
		return "with malformed parameters"
	}
	for _, r := range []struct {
		bit  uint16
		name string
	}{{hUsername, "username"}, {hRealm, "realm"}, {hNonce, "nonce"}, {hURI, "uri"}, {hResponse, "response"}} {
		if seen&r.bit == 0 {
			return "without " + r.name
		}
	}
	want := 32
	switch {
	case algorithm == "", strings.EqualFold(algorithm, "MD5"), strings.EqualFold(algorithm, "MD5-sess"):
	case strings.EqualFold(algorithm, "SHA-256"), strings.EqualFold(algorithm, "SHA-256-sess"):
		want = 64
	default:
		return "with an unknown algorithm"
	}
	if len(response) != want || !isHex(response) {
		return "with a response that is not a hex digest of the algorithm's length"
	}
	if seen&hQop != 0 {
		if qop != "auth" && qop != "auth-int" {
			return `with qop other than "auth" or "auth-int"`
		}
		if len(nc) != 8 || !isHex(nc) {
			return "with qop but no 8-digit hex nc"
		}
		if cnonce == "" {
			return "with qop but no cnonce"
		}
	}
	return ""
}

// walkAuthParams calls f for each `name=value` of an RFC 9110 §11.2
// auth-param list and reports whether the list is well-formed. A quoted
// value is passed without its quotes; escapes are left in (no value this
// package looks at may contain one).
func walkAuthParams(s string, f func(name, val string)) bool {
	n := 0
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return n > 0
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return false
		}
		name := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] == '"' {
					break
				}
			}
			if i >= len(s) {
				return false
			}
			val, s = s[1:i], s[i+1:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
			if val == "" {
				return false
			}
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return false
		}
		f(name, val)
		n++
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
