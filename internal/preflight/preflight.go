// Package preflight recognises a CORS-preflight request, which check and the
// proxy both count with the traffic outside the contract, so that a
// recording checks as the proxy judged it live.
package preflight

import "net/http"

// Is reports whether a request of this method and header is a CORS
// preflight (the Fetch standard's: OPTIONS with
// Access-Control-Request-Method), which a browser sends on its own before a
// cross-origin request and records beside it (Chrome's _resourceType
// "preflight"). It is no operation of the contract, whatever its path: the
// request it asks about is an exchange of its own, or, refused, a request
// without a response. It is not a client calling an undeclared method.
func Is(method string, h http.Header) bool {
	return method == http.MethodOptions && h.Get("Access-Control-Request-Method") != ""
}
