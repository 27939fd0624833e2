package contract

import (
	"slices"
	"strings"

	"github.com/icholy/digest"
)

// challengeRule: a 401 must offer a challenge of a scheme the request could
// have used on its server (RFC 9110 §11.6.1), and a Digest challenge must be
// one a client can answer: realm and nonce (RFC 7616 §3.3), parsed by
// github.com/icholy/digest as the client of this module parses it. A
// missing header is kin-openapi's to report (the contract requires it).
// Every challenge of every value is read: a value may list several.
func (c *checker) challengeRule() {
	values := c.ex.Response.Header.Values("WWW-Authenticate")
	if len(values) == 0 {
		return
	}
	accepted := c.v.challengeSchemes(c.m.op, c.m.srv)
	if len(accepted) == 0 {
		return
	}
	offered := false
	for _, val := range values {
		for _, challenge := range splitChallenges(val) {
			scheme, _, _ := strings.Cut(challenge, " ")
			if !slices.Contains(accepted, strings.ToLower(scheme)) {
				continue
			}
			offered = true
			if !strings.EqualFold(scheme, "Digest") {
				continue
			}
			ch, err := digest.ParseChallenge(challenge)
			switch {
			case err != nil:
				c.add(SideResponse, PartHeader, "/Www-Authenticate", RuleChallenge, "a well-formed Digest challenge (RFC 7616)", "a Digest challenge with malformed parameters")
			case ch.Realm == "" || ch.Nonce == "":
				c.add(SideResponse, PartHeader, "/Www-Authenticate", RuleChallenge, "a Digest challenge with realm and nonce (RFC 7616)", "a Digest challenge without realm or nonce")
			}
		}
	}
	if !offered {
		c.add(SideResponse, PartHeader, "/Www-Authenticate", RuleChallenge,
			"a challenge of a scheme the request could use: "+strings.Join(accepted, ", "), "no such challenge")
	}
}

// challengeSchemes lists, lower case, the Authorization schemes an
// operation accepts on a server.
func (v *Validator) challengeSchemes(o *operation, srv *server) []string {
	var out []string
	for _, req := range o.security {
		for name := range req {
			ref := v.doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil || !srv.acceptsScheme(ref.Value) {
				continue
			}
			var scheme string
			switch ref.Value.Type {
			case "http":
				scheme = strings.ToLower(ref.Value.Scheme)
			case "oauth2", "openIdConnect":
				scheme = "bearer"
			}
			if scheme != "" && !slices.Contains(out, scheme) {
				out = append(out, scheme)
			}
		}
	}
	slices.Sort(out)
	return out
}

// splitChallenges cuts one WWW-Authenticate value into its challenges
// (RFC 9110 §11.6.1: a comma-separated list in which each challenge is a
// scheme, then a token68 or auth-params that are themselves separated by
// commas). An element of the list that starts with a token not followed
// by '=' starts a challenge; any other continues the one before.
// github.com/icholy/digest parses one Digest challenge, not a list.
// Commas inside quoted strings separate nothing.
func splitChallenges(value string) []string {
	var out []string
	start := -1 // of the challenge being read
	end := 0    // of its last element
	for i := 0; i <= len(value); {
		// One element: up to the next comma outside a quoted string.
		j, quoted := i, false
		for ; j < len(value) && (quoted || value[j] != ','); j++ {
			switch {
			case value[j] == '\\' && quoted:
				j++
			case value[j] == '"':
				quoted = !quoted
			}
		}
		j = min(j, len(value))
		elem := strings.TrimSpace(value[i:j])
		if elem != "" {
			at := i + strings.Index(value[i:j], elem)
			if startsChallenge(elem) {
				if start >= 0 {
					out = append(out, value[start:end])
				}
				start = at
			}
			end = at + len(elem)
		}
		i = j + 1
	}
	if start >= 0 {
		out = append(out, value[start:end])
	}
	return out
}

// startsChallenge reports whether an element of a challenge list begins
// with an auth-scheme: a token followed by the end or by whitespace and
// something other than '=' (an auth-param may have spaces round its '=').
func startsChallenge(elem string) bool {
	n := 0
	for n < len(elem) && isToken(elem[n:n+1]) {
		n++
	}
	if n == 0 {
		return false
	}
	rest := strings.TrimLeft(elem[n:], " \t")
	if rest == elem[n:] && rest != "" {
		return false // "name=value", or not a token at all
	}
	return !strings.HasPrefix(rest, "=")
}
