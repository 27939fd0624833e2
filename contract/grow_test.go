package contract_test

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/growncontract"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// grownDoc is a fresh copy of the contract grown by the push-migration
// operations (internal/growncontract).
func grownDoc(t testing.TB) *openapi3.T {
	t.Helper()
	specformats.Register()
	doc, err := growncontract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestAGrownContractIsJudgedAsPlainOpenapi3filterJudgesIt: the contract
// grown by operations unlike the link-token ones (their own resource
// version, status members, a default, two patterned path parameters, v2
// only through servers on their path items) is accepted, and every case
// derived from it gets the verdicts the project's rules say, against plain
// openapi3filter on the same document, with no change to this package or
// the case generator.
func TestAGrownContractIsJudgedAsPlainOpenapi3filterJudgesIt(t *testing.T) {
	p, err := newPlainKin(grownDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	lenient, err := contract.New(contract.WithDocument(grownDoc(t)))
	if err != nil {
		t.Fatal(err)
	}
	strictV, err := contract.New(contract.WithDocument(grownDoc(t)), contract.Strict())
	if err != nil {
		t.Fatal(err)
	}
	cases := casesOf(t, grownDoc(t))
	var grown, onV1 int
	for _, c := range cases {
		if c.Operation == growncontract.CreateOp || c.Operation == growncontract.GetOp {
			grown++
			if strings.Contains(c.Request.URL.Path, "/v1.0/") {
				onV1++
			}
			if c.Broken == nil && !strings.Contains(c.Name, "later version") && c.Request.Header.Get("Accept") != growncontract.MediaType {
				t.Errorf("%s: Accept %q, want the operation's own version %s", c.Name, c.Request.Header.Get("Accept"), growncontract.MediaType)
			}
		}
	}
	if grown < 20 || onV1 > 0 {
		t.Fatalf("%d cases of the grown operations, %d of them on v1.0 (want many, none there)", grown, onV1)
	}
	agreeWithPlain(t, cases, p, lenient, strictV)
}
