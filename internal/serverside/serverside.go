// Package serverside is what a server built on the contract needs of package
// contract beyond its public judge, for this module's own servers
// (atlastest, linktoken proxy) and the check of recorded traffic: content
// negotiation, the authentication schemes of an operation or a server,
// whether an operation takes no credentials, whether a path is under one of
// the servers, the path parameters as a server reads them, the check of an
// exchange on a match found once, the size of a body a reader cut in its
// body-size violation (and the dropping of what was found in a body not
// held whole), and the refusal of a request that breaks the contract.
// Importers of contract have no use for them and do not see them.
package serverside

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside/hook"
)

// lent is contract's, set in its init (which runs before this package's).
var lent = hook.Lent[*contract.Validator, *contract.Match, *contract.Exchange, *contract.Result]()

// ErrNotAcceptable is returned by Negotiate when Accept names no media type
// the operation can answer in on its server.
var ErrNotAcceptable = hook.ErrNotAcceptable

// Negotiate picks the media type a success body of m's operation goes out
// in, given the request's Accept values, as the live service picks it: on
// a server whose success bodies are versioned
// (application/vnd.atlas.{version}+json), the newest version the operation
// declares that is not after the date Accept names (MongoDB's versioning),
// or the newest declared when Accept names no date but admits JSON
// (assumed); elsewhere, the server's type, when Accept admits it (an
// absent Accept admits anything). ErrNotAcceptable when nothing fits;
// contract.ErrNotInContract for a match without an operation. An
// operation without success bodies gets the server's first success type
// all the same: the live service sends a Content-Type on a 204.
func Negotiate(m *contract.Match, accept []string) (string, error) {
	return lent.Negotiate(m, accept)
}

// AuthSchemes lists, lower case, the Authorization schemes m's operation
// accepts on the request's server ("bearer", "digest"): x-atlas-servers
// restricts a scheme to some servers.
func AuthSchemes(m *contract.Match) []string { return lent.AuthSchemes(m) }

// Anonymous reports whether m's operation may be called without
// credentials.
func Anonymous(m *contract.Match) bool { return lent.Anonymous(m) }

// PathParams are m's path parameters, unescaped as a server reads them (a
// value that does not unescape is kept as sent).
func PathParams(m *contract.Match) map[string]string { return lent.PathParams(m) }

// ServerAuthSchemes lists, lower case, the Authorization schemes some
// operation accepts on the server whose base path is base (as UnderServer
// or Match.Server give it): what a server authenticates a request with
// when it reaches no operation there (a path that is none of the
// contract's, a method the path does not declare), before it answers 404
// or 405. Nil for an unknown base.
func ServerAuthSchemes(v *contract.Validator, base string) []string {
	return lent.ServerAuthSchemes(v, base)
}

// UnderServer reports whether a request path is under one of the
// document's servers (on any host, under any prefix), and which: a server
// answers a path there that is no operation's with its own 404, after
// authentication.
func UnderServer(v *contract.Validator, u *url.URL) (base string, ok bool) {
	return lent.UnderServer(v, u)
}

// CheckMatch is v.Check for a caller that has already matched the request
// (a server, a proxy, a reader that needed the match for itself): it routes
// nothing again.
func CheckMatch(v *contract.Validator, m *contract.Match, ex *contract.Exchange) *contract.Result {
	return lent.CheckMatch(v, m, ex)
}

// Refuse answers a request whose Result breaks the contract, as
// contract.Middleware does (see there): 400, 405, 413 or 415 with an
// Atlas-style ApiError naming every offending field (the first 100, the
// detail saying how many more there were). Credentials are not refused
// here: a server's authentication answers them with its challenge. It
// reports whether it wrote a response.
func Refuse(w http.ResponseWriter, m *contract.Match, res *contract.Result) bool {
	return lent.Refuse(w, m, res)
}

// ExplainCut says, in a body-size violation of ex's result res, what a
// reader knows of a body it did not read whole (cut at its limit, or
// recorded in part): request and response are that text for each side, ""
// for a body read whole. The validating transport and middleware do the
// same.
func ExplainCut(ex *contract.Exchange, res *contract.Result, request, response string) {
	lent.ExplainCut(ex, res, request, response)
}

// DropBodyFindings removes the violations found in side's body, for a body
// the caller did not hold whole (over its cap, or recorded in part): what
// was found in the part held is the caller's doing, not the traffic's, and
// the caller says in one violation that the body was not judged.
func DropBodyFindings(res *contract.Result, side contract.Side) {
	res.Violations = slices.DeleteFunc(res.Violations, func(v *contract.Violation) bool {
		return v.Side == side && v.Part == contract.PartBody
	})
}
