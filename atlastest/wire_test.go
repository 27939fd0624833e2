package atlastest_test

import (
	"net/http"
	"testing"
)

// wireTransport is the transport every test client sends through.
func wireTransport(t testing.TB) http.RoundTripper {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}
