package atlastest_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

var strictValidator = sync.OnceValues(func() (*contract.Validator, error) { return contract.New(contract.Strict()) })

// wireTransport is the transport every test client sends through. It sits
// on the wire, below the digest transport, so the contract validator sees
// every exchange the service answers, each 401 of a handshake included.
// Any response that breaks the contract fails the test; so does a request
// that breaks it yet is answered with success (the service let it through).
// Requests the tests break on purpose and the service refuses are fine.
func wireTransport(t testing.TB) http.RoundTripper {
	t.Helper()
	v, err := strictValidator()
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &checkedTransport{t: t, v: v, base: tr}
}

type checkedTransport struct {
	t    testing.TB
	v    *contract.Validator
	base http.RoundTripper
}

func (c *checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var found contract.Violations
	// One contract.Transport per exchange, so its report lands here.
	resp, err := contract.NewTransport(c.v, c.base, func(vs contract.Violations) { found = append(found, vs...) }).RoundTrip(req)
	if err != nil {
		return resp, err
	}
	for _, x := range found {
		if x.Side == contract.SideResponse || resp.StatusCode < 400 {
			c.t.Errorf("contract violation: %v", x)
		}
	}
	return resp, nil
}
