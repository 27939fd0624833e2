package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestAnAuthorizationWithoutSchemeIsNotEchoed: a value that is not a
// known scheme's may be a key pasted without one; the violation names no
// part of it. A registered scheme is named.
func TestAnAuthorizationWithoutSchemeIsNotEchoed(t *testing.T) {
	for _, tc := range []struct{ value, secret, want string }{
		{"abcd1234", "abcd1234", "not a scheme"},
		{"pubkey:privkey", "privkey", "not a scheme"},
		{"s3cr3tv4lue and more", "s3cr3tv4lue", "not a scheme"},
		{"Negotiate abc", "", `"Negotiate"`},
	} {
		ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), http.Header{"Authorization": {tc.value}}, nil)
		res, err := contract.MustNew().Check(ex)
		if err != nil {
			t.Fatal(err)
		}
		s := res.Violations.Error()
		if tc.secret != "" && strings.Contains(s, tc.secret) || !strings.Contains(s, tc.want) {
			t.Errorf("%q: %s; want %q and no %q", tc.value, s, tc.want, tc.secret)
		}
	}
}
