package contract

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

// challengeRule: a 401 must offer a challenge of a scheme the request could
// have used on its server (RFC 9110 §11.6.1), and a Digest challenge must be
// one a client can answer: realm and nonce (RFC 7616 §3.3), parsed by
// github.com/icholy/digest as the client of this module parses it. A
// missing header is kin-openapi's to report (the contract requires it).
// Every challenge of every value is read: a value may list several.
//
// A client ignores a Digest challenge whose algorithm or qop it does not
// know and answers another (RFC 7616 §3.3), so a 401 whose Digest
// challenges are all of that kind leaves a client nothing to answer:
// that is a violation, one such challenge beside an answerable one is not.
func (c *checker) challengeRule() {
	values := c.ex.Response.Header.Values("WWW-Authenticate")
	if len(values) == 0 {
		return
	}
	accepted := c.m.op.challengeSchemes(c.m.srv)
	if len(accepted) == 0 {
		return
	}
	offered := false
	digests, answerable := 0, 0
	for _, val := range values {
		for _, challenge := range rfc9110.SplitChallenges(val) {
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
			default:
				digests++
				if canAnswer(ch) {
					answerable++
				}
			}
		}
	}
	if digests > 0 && answerable == 0 {
		c.add(SideResponse, PartHeader, "/Www-Authenticate", RuleChallenge,
			"a Digest challenge whose algorithm and qop a client knows (RFC 7616 §3.3)",
			"only Digest challenges of an unknown algorithm or qop")
	}
	if !offered {
		c.add(SideResponse, PartHeader, "/Www-Authenticate", RuleChallenge,
			"a challenge of a scheme the request could use: "+strings.Join(accepted, ", "), "no such challenge")
	}
}

// canAnswer reports whether a client knows the challenge's algorithm and
// qop. It asks github.com/icholy/digest, which answers MD5, SHA-256,
// SHA-512 and SHA-512-256; a "-sess" algorithm (RFC 7616 §3.3 registers one
// for each) is taken as known too, since another client may answer it
// although that library does not: the rule must not be stricter than a
// server may rightly be.
func canAnswer(ch *digest.Challenge) bool {
	known := *ch
	// Algorithm names are matched without regard to case (RFC 7616 §3.3).
	if n := len(known.Algorithm) - len("-sess"); n >= 0 && strings.EqualFold(known.Algorithm[n:], "-sess") {
		known.Algorithm = known.Algorithm[:n]
	}
	return digest.CanDigest(&known)
}

// challengeSchemes lists, lower case, the Authorization schemes an
// operation accepts on a server.
func (o *operation) challengeSchemes(srv *server) []string {
	return o.acceptedSchemes(srv, func(s *openapi3.SecurityScheme) string {
		switch s.Type {
		case "http":
			return strings.ToLower(s.Scheme)
		case "oauth2", "openIdConnect":
			return "bearer"
		}
		return ""
	})
}
