package atlas

import (
	"net/http"
	"strings"
)

// originOnly sends a request to the service root's origin through auth,
// which adds the credentials, and any other request through other, without
// them. An http.Client follows redirects by default, and each request it
// makes goes through its transport: a redirect to another server would
// otherwise have auth answer that server's digest challenge (a response it
// can test private keys against offline) or hand it the bearer token.
type originOnly struct {
	scheme, host string
	auth, other  http.RoundTripper
}

func (o originOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == o.scheme && strings.EqualFold(r.URL.Host, o.host) {
		return o.auth.RoundTrip(r)
	}
	return o.other.RoundTrip(r)
}

// CloseIdleConnections reaches the wire, through auth.
func (o originOnly) CloseIdleConnections() {
	if c, ok := o.auth.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
