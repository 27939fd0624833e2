package contract_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

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

// TestAPIKeyCredentials: an apiKey scheme is met by a non-empty key where
// the scheme says (a header, the query, a cookie); an empty key is a
// malformed credential, and none at all is a request without credentials,
// which conforms only as answered by the challenge.
func TestAPIKeyCredentials(t *testing.T) {
	for _, in := range []string{"header", "query", "cookie"} {
		doc := docCopy(t)
		doc.Components.SecuritySchemes["ApiKey"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: in, Name: "api_key"}}
		doc.Security = openapi3.SecurityRequirements{{"ApiKey": {}}}
		v, err := contract.New(contract.WithDocument(doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			key  *string
			want string // the security violation's finding; "" for none
		}{
			{ptr("k3y"), ""},
			{ptr(""), "an empty api_key"},
			{nil, "no credentials, answered 201 rather than the 401 challenge"},
		} {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, nil)
			if tc.key != nil {
				switch in {
				case "header":
					ex.Request.Header.Set("api_key", *tc.key)
				case "query":
					u := *ex.Request.URL
					u.RawQuery += "&api_key=" + *tc.key
					ex.Request.URL = &u
				case "cookie":
					ex.Request.Header.Set("Cookie", "api_key="+*tc.key)
				}
			}
			res, err := v.Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, x := range res.Violations {
				if x.Rule == contract.RuleSecurity {
					got = x.Found
				}
			}
			if got != tc.want {
				t.Errorf("%s, key %v: security %q; want %q (%v)", in, tc.key != nil, got, tc.want, res.Violations)
			}
		}
	}
}

func ptr(s string) *string { return &s }
