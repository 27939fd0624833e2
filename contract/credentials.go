package contract

import (
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

// Credentials are checked as a contract, never for correctness: that a
// request carries well-formed credentials of a scheme its server accepts.
// Whether the digest response or the token is right is the server's
// business. What is found is described by scheme and missing parameters
// only; no credential is ever copied into a violation.
//
// This is one of the project's own rules (judgeSecurity, run by
// requestRules): it applies the security requirements as kin-openapi does,
// and kin-openapi, whose routes require no credentials (withoutSecurity),
// does not judge them a second time.

// credentialError is the verdict on a credential that is absent,
// malformed, or of a scheme the server does not take; its fields are read,
// it is never returned as an error.
type credentialError struct {
	absent bool // no credential of this scheme at all
	// rank orders what a violation should say when no requirement is met:
	// a malformed credential of the scheme sent (3) over a scheme the server
	// does not take (2) over a scheme the requirement does not name (1).
	rank     int
	expected string // empty: what the operation accepts on the server
	found    string
}

var errNoCredential = &credentialError{absent: true, found: "no credentials"}

// credentialProblem judges the credential a request carries for one scheme
// (query is its query, parsed); nil means well-formed. It allocates
// nothing for a well-formed bearer token; a digest credential is parsed
// by github.com/icholy/digest, the parser the in-memory server uses too.
func credentialProblem(r *http.Request, query url.Values, s *openapi3.SecurityScheme, srv *server) *credentialError {
	switch s.Type {
	case "apiKey":
		var present bool
		var value string
		switch s.In {
		case "header":
			vals := r.Header.Values(s.Name)
			present, value = len(vals) > 0, strings.Join(vals, "")
		case "query":
			vals, ok := query[s.Name]
			present, value = ok, strings.Join(vals, "")
		case "cookie":
			if c, err := r.Cookie(s.Name); err == nil {
				present, value = true, c.Value
			}
		}
		switch {
		case !present:
			return errNoCredential
		case srv != nil && !srv.acceptsScheme(s):
			return &credentialError{rank: 2, found: s.Name + ", which " + srv.base + " does not accept"}
		case value == "":
			return &credentialError{rank: 3, expected: "a non-empty " + s.Name, found: "an empty " + s.Name}
		}
		return nil
	case "http", "oauth2", "openIdConnect":
	default:
		return &credentialError{rank: 1, expected: "credentials of scheme type " + s.Type, found: "a scheme type this check cannot see"}
	}
	want := "Bearer"
	if s.Type == "http" {
		want = s.Scheme
	}
	// The canonical key, looked up as it is: Values would canonicalize it
	// again for every scheme tried.
	values := r.Header["Authorization"]
	if len(values) == 0 {
		return errNoCredential
	}
	if len(values) > 1 {
		return &credentialError{rank: 3, expected: "one Authorization header", found: "more than one Authorization header"}
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	rest = strings.TrimSpace(rest)
	if !strings.EqualFold(scheme, want) {
		return otherScheme(scheme)
	}
	if srv != nil && !srv.acceptsScheme(s) {
		return &credentialError{rank: 2, found: canonicalScheme(want) + ", which " + srv.base + " does not accept"}
	}
	var problem string
	switch {
	case strings.EqualFold(want, "digest"):
		problem = digestProblem(values[0])
	case strings.EqualFold(want, "bearer"):
		if !rfc9110.IsToken68(rest) {
			problem = "with a malformed or empty token"
		}
	case strings.EqualFold(want, "basic"):
		if raw, err := base64.StdEncoding.DecodeString(rest); err != nil || !strings.Contains(string(raw), ":") {
			problem = "that is not base64 of user:password"
		}
	default:
		if rest == "" {
			problem = "without credentials"
		}
	}
	if problem != "" {
		return &credentialError{rank: 3, expected: "a well-formed " + canonicalScheme(want) + " Authorization", found: canonicalScheme(want) + " " + problem}
	}
	return nil
}

func canonicalScheme(s string) string {
	switch strings.ToLower(s) {
	case "digest":
		return "Digest"
	case "bearer":
		return "Bearer"
	case "basic":
		return "Basic"
	}
	return s
}

// digestProblem checks a Digest credential (RFC 7616 §3.4): the parameters
// the response is computed from, and a response of the algorithm's length.
// What counts as parseable is github.com/icholy/digest's verdict (the
// parser the in-memory server and the client use).
func digestProblem(value string) string {
	c, err := digest.ParseCredentials(value)
	if err != nil {
		return "with malformed parameters"
	}
	for _, f := range []struct{ name, val string }{
		{"username", c.Username}, {"realm", c.Realm}, {"nonce", c.Nonce}, {"uri", c.URI}, {"response", c.Response},
	} {
		if f.val == "" {
			return "without " + f.name
		}
	}
	want := 0
	switch strings.TrimSuffix(strings.ToUpper(c.Algorithm), "-SESS") {
	case "", "MD5":
		want = 32
	case "SHA-256", "SHA-512-256":
		want = 64
	case "SHA-512":
		want = 128
	default:
		return "with an unknown algorithm"
	}
	if len(c.Response) != want || !rfc9110.IsHex(c.Response) {
		return "with a response that is not a hex digest of the algorithm's length"
	}
	if c.QOP != "" {
		if c.QOP != "auth" && c.QOP != "auth-int" {
			return `with qop other than "auth" or "auth-int"`
		}
		if c.Nc <= 0 {
			return "with qop but no nonce count"
		}
		if c.Cnonce == "" {
			return "with qop but no cnonce"
		}
	}
	return ""
}

// The verdicts on an Authorization header of another scheme than the one
// asked about, made once: a request of one scheme meets them on every
// requirement of another. Only a registered scheme is named (IANA's HTTP
// Authentication Scheme Registry, and two in common use); anything else may
// be a key pasted without a scheme, and is not shown.
var (
	knownSchemes = func() map[string]*credentialError {
		out := map[string]*credentialError{}
		for _, known := range []string{"AWS4-HMAC-SHA256", "Basic", "Bearer", "Concealed", "Digest", "DPoP", "GNAP", "HOBA",
			"Mutual", "Negotiate", "NTLM", "OAuth", "PrivateToken", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid"} {
			out[known] = &credentialError{rank: 1, found: `scheme "` + known + `"`}
		}
		return out
	}()
	errUnknownScheme = &credentialError{rank: 1, found: "scheme (a value that is not a scheme this check knows; not shown)"}
	errEmptyScheme   = &credentialError{rank: 1, found: "an empty Authorization header"}
)

// otherScheme is the verdict on credentials of scheme for a scheme they
// are not of.
func otherScheme(scheme string) *credentialError {
	if scheme == "" {
		return errEmptyScheme
	}
	if e, ok := knownSchemes[scheme]; ok {
		return e // as registered, the usual case
	}
	for known, e := range knownSchemes {
		if strings.EqualFold(scheme, known) {
			return e
		}
	}
	return errUnknownScheme
}

// judgeSecurity applies the requirements the way kin-openapi does (any one
// requirement met, each of its schemes in name order, the first failure
// failing it). The verdict: met (nil, false), absent altogether (the first
// half of a digest handshake: absent), or broken, with the most telling
// problem: that of the credential the request did carry.
func judgeSecurity(r *http.Request, query url.Values, reqs []requirement, srv *server) (problem *credentialError, absent bool) {
	for _, req := range reqs {
		p := req.judge(r, query, srv)
		if p == nil {
			return nil, false
		}
		if !p.absent && (problem == nil || p.rank > problem.rank) {
			problem = p
		}
	}
	return problem, len(reqs) > 0 && problem == nil
}

// requirement is one security requirement of an operation: its schemes in
// name order, as kin-openapi tries them, each looked up once by New (every
// name is declared: New validates the document).
type requirement []*openapi3.SecurityScheme

func newRequirement(doc *openapi3.T, req openapi3.SecurityRequirement) requirement {
	var out requirement
	for _, name := range slices.Sorted(maps.Keys(req)) {
		out = append(out, doc.Components.SecuritySchemes[name].Value)
	}
	return out
}

func (req requirement) judge(r *http.Request, query url.Values, srv *server) *credentialError {
	for _, s := range req {
		if err := credentialProblem(r, query, s, srv); err != nil {
			return err
		}
	}
	return nil
}

// expectedAuth says which credentials an operation takes on a server.
func (o *operation) expectedAuth(srv *server) string {
	schemes := o.acceptedSchemes(srv, func(s *openapi3.SecurityScheme) string {
		switch s.Type {
		case "http":
			return "Authorization: " + canonicalScheme(s.Scheme) + " …"
		case "oauth2", "openIdConnect":
			return "Authorization: Bearer …"
		case "apiKey":
			return s.Name + " (" + s.In + ")"
		}
		return ""
	})
	if len(schemes) == 0 {
		return "no credentials"
	}
	return strings.Join(schemes, " or ")
}

// acceptedSchemes lists, sorted and once each, the labels of the declared
// security schemes an operation accepts on srv (on any server when srv is
// nil); a scheme labelled "" is left out.
func (o *operation) acceptedSchemes(srv *server, label func(*openapi3.SecurityScheme) string) []string {
	var out []string
	for _, req := range o.requirements {
		for _, s := range req {
			if srv != nil && !srv.acceptsScheme(s) {
				continue
			}
			if l := label(s); l != "" && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	slices.Sort(out)
	return out
}
