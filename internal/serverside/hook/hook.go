// Package hook is how package contract lends [serverside] what it keeps out of
// its public API. Go has no friend packages, and this one cannot import
// contract (contract imports it), so its types are parameters: contract
// lends its functions once, in its init, with its own types, and serverside
// takes them back with the same types. The idiom is golang.org/x/tools's
// (internal/packagesinternal, set by go/packages); nothing else sets or
// reads it.
//
// [serverside]: github.com/seed-5c49e0d7/linktoken/internal/serverside
package hook

import (
	"errors"
	"net/http"
	"net/url"
)

// ErrNotAcceptable is returned by Funcs.Negotiate when Accept names no
// media type the operation can answer in on its server.
var ErrNotAcceptable = errors.New("no acceptable media type")

// Funcs are contract's functions over its validator V, match M, exchange X
// and result R (serverside documents each).
type Funcs[V, M, X, R any] struct {
	Negotiate         func(m M, accept []string) (string, error)
	AuthSchemes       func(m M) []string
	Anonymous         func(m M) bool
	PathParams        func(m M) map[string]string
	ServerAuthSchemes func(v V, base string) []string
	UnderServer       func(v V, u *url.URL) (string, bool)
	CheckMatch        func(v V, m M, ex X) R
	Refuse            func(w http.ResponseWriter, m M, res R) bool
	ExplainCut        func(ex X, res R, request, response string)
}

// lent is what contract lent: a Funcs of its types.
var lent any

// Lend is called by contract's init, once.
func Lend[V, M, X, R any](f Funcs[V, M, X, R]) {
	if lent != nil {
		panic("hook: lent twice")
	}
	lent = f
}

// Lent is what contract lent, for serverside; the types must be the ones
// contract lent with (a mismatch panics at serverside's initialisation).
func Lent[V, M, X, R any]() Funcs[V, M, X, R] { return lent.(Funcs[V, M, X, R]) }
