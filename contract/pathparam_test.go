package contract_test

import (
	"net/url"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestPathParametersAreJudgedDecoded: a path parameter is judged as the
// server reads it, percent-decoded once: an escaped hex digit is the digit,
// and an escaped '%' stays a '%' (no second decoding).
func TestPathParametersAreJudgedDecoded(t *testing.T) {
	for _, tc := range []struct {
		name, rawOrg string
		ok           bool
	}{
		{"plain", "4888442a3354817a7320eb61", true},
		{"an escaped digit", "%34888442a3354817a7320eb61", true},
		{"an escaped letter", "%61888442a3354817a7320eb61", true},
		{"every character escaped", "%34%38%38%38%34%34%32%61%33%33%35%34%38%31%37%61%37%33%32%30%65%62%36%31", true},
		{"an escaped upper-case letter", "%41888442a3354817a7320eb61", true},
		{"an escaped letter that is no hex digit", "%7A888442a3354817a7320eb61", false},
		{"an escaped percent sign is not decoded twice", "%2561888442a3354817a7320eb61", false},
		{"23 characters", "888442a3354817a7320eb61", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, nil)
			u, err := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/" + tc.rawOrg + "/liveMigrations/linkTokens")
			if err != nil {
				t.Fatal(err)
			}
			ex.Request.URL = u
			res, err := contract.MustNew().Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tc.ok {
				t.Fatalf("conforms %v, want %v: %v", res.OK(), tc.ok, res.Violations)
			}
		})
	}
}
