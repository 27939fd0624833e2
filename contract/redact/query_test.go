package redact_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
)

// TestRedactAccessTokenInTheQuery: a bearer token sent in the query
// (access_token, RFC 6750 §2.3: the contract has an OAuth 2 scheme) is
// replaced there and in the digest credential's uri, which repeats the
// request's target; every other byte of the query is kept, so the copy's
// query reads, or fails to, as the original's did.
func TestRedactAccessTokenInTheQuery(t *testing.T) {
	v := contract.MustNew()
	for _, tc := range []struct{ query, want string }{
		{"pretty=true&access_token=c2VjcmV0", "pretty=true&access_token=REDACTED"},
		{"access_token=c2VjcmV0&access_token=c2VjcmV0Mg&envelope=maybe", "access_token=REDACTED&access_token=REDACTED&envelope=maybe"},
		{"pretty=true;access_token=c2VjcmV0", "pretty=true;access_token=REDACTED"},
		{"access_token=c2VjcmV0%zz&pretty=true", "access_token=REDACTED%&pretty=true"},
		{"access%5Ftoken=c2VjcmV0", "access%5Ftoken=REDACTED"},
		{"access_token=&pretty=true", "access_token=&pretty=true"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), http.Header{
				"Authorization": {strings.Replace(digestHdr, `linkTokens"`, `linkTokens?`+tc.query+`"`, 1)}}, nil)
			ex.Request.URL = &url.URL{Scheme: ex.Request.URL.Scheme, Host: ex.Request.URL.Host, Path: ex.Request.URL.Path, RawQuery: tc.query}
			red := redact.Exchange(v, ex)
			if red.Request.URL.RawQuery != tc.want {
				t.Errorf("query %q, want %q", red.Request.URL.RawQuery, tc.want)
			}
			if a := red.Request.Header.Get("Authorization"); strings.Contains(a, "c2VjcmV0") || !strings.Contains(a, "?"+tc.want+`"`) {
				t.Errorf("Authorization %s", a)
			}
			if ex.Request.URL.RawQuery != tc.query {
				t.Errorf("the original changed: %q", ex.Request.URL.RawQuery)
			}
			before, _ := v.Check(ex)
			after, _ := v.Check(red)
			b, a := append(before.Violations.Rules(), before.Notices.Rules()...), append(after.Violations.Rules(), after.Notices.Rules()...)
			slices.Sort(b)
			slices.Sort(a)
			if !slices.Equal(a, b) {
				t.Errorf("rules before %v, after %v", b, a)
			}
		})
	}
}
