package atlastest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
)

// authenticate admits a request with credentials of a scheme the contract
// lets it use there (schemes, lower case, from the match or the server):
// valid digest credentials, or a live service-account bearer token where
// "bearer" is among them (v2 only, by the contract's x-atlas-servers).
// Anything else gets a 401 with a fresh challenge, or 403 for a key without
// the role. An operation the contract lets anyone call (anonymous) admits
// a request without credentials.
func (s *Service) authenticate(w http.ResponseWriter, r *http.Request, x *exchange, schemes []string, anonymous bool) bool {
	if s.cfg.noAuth {
		x.principal = s.owner.Public
		return true
	}
	// More than one Authorization header is ambiguous credentials, which
	// are no credentials: a fresh challenge, whatever either one says.
	values := r.Header.Values("Authorization")
	if len(values) == 0 && anonymous {
		return true
	}
	header := ""
	if len(values) == 1 {
		header = values[0]
	}
	digestOK, bearerOK := slices.Contains(schemes, "digest"), slices.Contains(schemes, "bearer")
	res := authChallenge
	// Scheme names are case-insensitive (RFC 9110 §11.1): "digest" and
	// "BEARER" are the same schemes, and the credential after them is
	// checked exactly as it would be otherwise.
	scheme, rest, _ := strings.Cut(header, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && bearerOK:
		if id, ok := s.tokens.check(rest); ok {
			x.principal = id
			return true
		}
	case header != "" && digestOK:
		var principal string
		principal, res = s.checkDigest(r, header)
		x.principal = principal
	}
	switch res {
	case authOK:
		return true
	case authForbidden:
		apierror.Write(w, apierror.New(http.StatusForbidden, CodeForbidden,
			"The API key does not have the Organization Owner role in this organization."))
		return false
	}
	if digestOK || !bearerOK {
		w.Header().Set("WWW-Authenticate", s.challenge(res == authStale))
	} else {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+Realm+`"`)
	}
	apierror.Write(w, apierror.New(http.StatusUnauthorized, CodeUnauthorized, "You are not authorized for this resource."))
	return false
}
