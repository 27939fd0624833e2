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
