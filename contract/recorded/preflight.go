package recorded

import (
	"net/http"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// corsPreflight reports whether req is a CORS-preflight request (the Fetch
// standard's: OPTIONS with Access-Control-Request-Method), which a browser
// sends on its own before a cross-origin request and records beside it
// (Chrome's _resourceType "preflight"). It is no operation of the contract,
// whatever its path: the request it asks about is an exchange of its own,
// or, refused, a request without a response. A check counts it with the
// exchanges outside the contract, not as a client calling an undeclared
// method.
func corsPreflight(req *contract.Request) bool {
	return req != nil && req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != ""
}
