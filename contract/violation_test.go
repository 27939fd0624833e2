package contract_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestViolationPrintsOnOneLine: a violation prints on one line whatever the
// exchange held, so that a logged violation cannot forge a log line. The
// path is the decoded one (a request for …/orgs/%0A/… has a line break in
// it) and a strict check names an undeclared property, whatever its name.
func TestViolationPrintsOnOneLine(t *testing.T) {
	const v2 = "application/vnd.atlas.2023-01-01+json"
	auth := `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/x", algorithm=MD5, response="00000000000000000000000000000000", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
	tests := []struct {
		name string
		ex   *contract.Exchange
		rule string
	}{
		{"line break in path", &contract.Exchange{Request: &contract.Request{
			Method: "GET", URL: &url.URL{Path: "/api/atlas/v2/orgs/\nINFO forged/liveMigrations/linkTokens"},
			Header: http.Header{"Accept": {v2}, "Authorization": {auth}},
		}}, contract.RuleMethod},
		{"line break in property name", &contract.Exchange{Request: &contract.Request{
			Method: "POST", URL: &url.URL{Path: "/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"},
			Header: http.Header{"Accept": {v2}, "Content-Type": {v2}, "Authorization": {auth}},
			Body:   []byte("{\"a\\r\\nINFO forged\":1}"),
		}}, contract.RuleAdditionalProps},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := strict.Check(tt.ex)
			if err != nil {
				t.Fatal(err)
			}
			vs := append(res.Violations, res.Notices...)
			found := false
			for _, v := range vs {
				line := v.Error()
				if strings.ContainsAny(line, "\r\n") {
					t.Errorf("%q is more than one line", line)
				}
				if v.Rule == tt.rule {
					found = true
					if !strings.Contains(line, `\n`) {
						t.Errorf("%q does not show the escaped line break", line)
					}
				}
			}
			if !found {
				t.Errorf("no %s violation in %v", tt.rule, vs)
			}
		})
	}
}

// TestViolationSummary: the short form names the place and the rule, on
// one line whatever the pointer holds, and is the middle of Error.
func TestViolationSummary(t *testing.T) {
	for _, tc := range []struct {
		v    contract.Violation
		want string
	}{
		{contract.Violation{Side: contract.SideResponse, Part: contract.PartHeader, Pointer: "/Retry-After", Rule: contract.RuleRequiredHeader},
			"response header /Retry-After: required-header"},
		{contract.Violation{Side: contract.SideResponse, Part: contract.PartStatus, Rule: contract.RuleStatus}, "response status: status"},
		{contract.Violation{Side: contract.SideRequest, Part: contract.PartBody, Pointer: "/a\x1b[31m\u2028\r\nb", Rule: contract.RuleAdditionalProps},
			`request body /a\x1b[31m\u2028\r\nb: additionalProperties`},
	} {
		if got := tc.v.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
		tc.v.Exchange, tc.v.Expected, tc.v.Found = "GET /x → 200", "e", "f"
		if got, want := tc.v.Error(), "GET /x → 200: "+tc.want+": expected e, found f"; got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	}
}

func ExampleViolation_Summary() {
	v := contract.Violation{
		Exchange: "DELETE /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens → 429",
		Side:     contract.SideResponse, Part: contract.PartHeader, Pointer: "/Retry-After",
		Rule: "type", Expected: "integer", Found: `"soon"`,
	}
	fmt.Println(v.Summary())
	// Output: response header /Retry-After: type
}
