package contract_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestAcceptRefusesAndWildcards: a media range with q=0 in any spelling
// (0, 0.0, 0.000) asks for nothing, and a wildcard beside a versioned type
// lets the service answer in any version. The create is declared in
// 2022-01-01 too, so that asking for that date is not asking for a date
// before every version (which no version breaks: TestADateBeforeEveryVersionIsNotJudged).
func TestAcceptRefusesAndWildcards(t *testing.T) {
	const old, newer = "application/vnd.atlas.2022-01-01+json", "application/vnd.atlas.2025-01-01+json"
	for _, tc := range []struct {
		accept  string
		version bool // a version violation is wanted (the 2023-01-01 answer is after what was asked)
	}{
		{old, true},
		{old + ", " + newer, false},
		{old + ", " + newer + ";q=0", true},
		{old + ", " + newer + ";q=0.0", true},
		{old + ", " + newer + "; q=0.00", true},
		{old + ", " + newer + ";q=0.000", true},
		{old + ", " + newer + ";q=0.001", false},
		{old + ", */*", false},
		{old + ", application/*;q=0.5", false},
		{old + ", */*;q=0.0", true},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), http.Header{"Accept": {tc.accept}}, nil)
			res, err := contract.MustNew(contract.WithDocument(twoVersionDoc(t))).Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(res.Violations.Rules(), contract.RuleVersion); got != tc.version {
				t.Fatalf("version violation %v, want %v: %v", got, tc.version, res.Violations)
			}
		})
	}
}

// TestAContentTypeMustParseWhole: a Content-Type is judged whole, not only
// up to its first ';': a line break (header injection) or a malformed
// parameter after the type is a violation, on either side.
func TestAContentTypeMustParseWhole(t *testing.T) {
	for _, ct := range []string{
		"application/json; charset=utf-8\r\nX-Injected: 1",
		v2Type + ";charset=utf-8\nX: y",
		"application/json; charset",
		"application/json; a=b; a=c",
	} {
		for _, side := range []string{"request", "response"} {
			reqH, respH := http.Header{"Content-Type": {ct}}, http.Header(nil)
			if side == "response" {
				reqH, respH = nil, http.Header{"Content-Type": {ct}}
			}
			res, err := contract.MustNew().Check(createExchange(createBody, []byte(`{"linkToken":"t"}`), reqH, respH))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, x := range res.Violations {
				found = found || x.Rule == contract.RuleContentType && string(x.Side) == side
			}
			if !found {
				t.Errorf("%s Content-Type %q: %v", side, ct, res.Violations)
			}
		}
	}
	for _, ct := range []string{v2Type + ";", v2Type + `;charset="utf-8"`, v2Type + " ;charset=utf-8"} {
		res, _ := contract.MustNew().Check(createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, http.Header{"Content-Type": {ct}}))
		if !res.OK() {
			t.Errorf("%q: %v", ct, res.Violations)
		}
	}
}

// TestAContentTypeWithoutABodyIsNotJudged: a Content-Type on a message
// without content describes nothing (RFC 9110 §8.3) and openapi3filter does
// not read it: a remove without a body, and its 204, conform whatever
// their Content-Type says (the live 204 carries one).
func TestAContentTypeWithoutABodyIsNotJudged(t *testing.T) {
	for _, ct := range []string{" ", `"`, "application/json;0", v2Type} {
		ex := &contract.Exchange{
			Request: &contract.Request{Method: http.MethodDelete, URL: &url.URL{Path: "/api/atlas/v2" + orgPath},
				Header: http.Header{"Accept": {v2Type}, "Authorization": {digestHdr}, "Content-Type": {ct}}},
			Response: &contract.Response{StatusCode: http.StatusNoContent, Header: http.Header{"Content-Type": {ct}}},
		}
		res, err := contract.MustNew().Check(ex)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			t.Errorf("Content-Type %q without a body: %v", ct, res.Violations)
		}
	}
}

// TestADateBeforeEveryVersionIsNotJudged: MongoDB's pages say a date is
// answered by the newest version not after it, not what answers a date
// before the resource's first version (the contract's 406 is assumed), so a
// success in the first version then breaks no rule; a date between two
// versions is still judged.
func TestADateBeforeEveryVersionIsNotJudged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       *contract.Validator
		version bool
	}{
		{"the contract: 2022-01-01 is before its only version", contract.MustNew(), false},
		{"two versions: 2022-01-01 is one of them", contract.MustNew(contract.WithDocument(twoVersionDoc(t))), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), http.Header{"Accept": {"application/vnd.atlas.2022-01-01+json"}}, nil)
			res, err := tc.v.Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(res.Violations.Rules(), contract.RuleVersion); got != tc.version || !tc.version && !res.OK() {
				t.Fatalf("version violation %v, want %v: %v", got, tc.version, res.Violations)
			}
		})
	}
}
