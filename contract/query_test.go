package contract_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestUnreadableQueryIsNeverPassed: a query Go's url.ParseQuery (and so
// kin-openapi) cannot read whole — a ';' separator, or more parameters than
// its limit of 10,000 — would leave every query check blind; it is a
// violation, strict or not, and the violation does not echo the query.
func TestUnreadableQueryIsNeverPassed(t *testing.T) {
	for _, tc := range []struct{ name, query string }{
		{"a semicolon hides a bad value", "pretty=xyz;a=b"},
		{"a semicolon alone", "a;b=1"},
		{"past the parameter limit", "pretty=xyz&" + strings.Repeat("a=1&", 10_000) + "access_token=s3cr3t"},
	} {
		for _, strict := range []bool{false, true} {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, nil)
			u := *ex.Request.URL
			u.RawQuery = tc.query
			ex.Request.URL = &u
			v := contract.MustNew()
			if strict {
				v = contract.MustNew(contract.Strict())
			}
			res, err := v.Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(res.Violations.Rules(), contract.RuleQuery) {
				t.Errorf("%s (strict %v): %v; want a %s violation", tc.name, strict, res.Violations, contract.RuleQuery)
			}
			if s := res.Violations.Error(); strings.Contains(s, "s3cr3t") || strings.Contains(s, "xyz") {
				t.Errorf("%s: the violation echoes the query: %s", tc.name, s)
			}
		}
	}
}

// TestMalformedPercentEncodingInAQuery: a parameter with a malformed
// percent-encoding is the one url.ParseQuery drops; the violation says so,
// not that the query has too many parameters, and does not echo it.
func TestMalformedPercentEncodingInAQuery(t *testing.T) {
	ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, nil)
	u := *ex.Request.URL
	u.RawQuery = "pretty=true&access_token=s3cr3t%zz"
	ex.Request.URL = &u
	res, err := contract.MustNew().Check(ex)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Violations.Error()
	if !slices.Contains(res.Violations.Rules(), contract.RuleQuery) || !strings.Contains(s, "percent-encoding") || strings.Contains(s, "10000") {
		t.Errorf("%v; want a %s violation naming a malformed percent-encoding", res.Violations, contract.RuleQuery)
	}
	if strings.Contains(s, "s3cr3t") || strings.Contains(s, "%zz") {
		t.Errorf("the violation echoes the query: %s", s)
	}
}
