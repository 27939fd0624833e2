package contract_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestClosedSchemasNeverVouchForAOneOf: a response is first checked
// against its closed schemas, whose acceptance vouches for the open ones
// only where closing narrows them. Under a oneOf it does not: a body that
// matches two branches breaks the open schema, while closing one branch
// leaves it matching exactly one.
func TestClosedSchemasNeverVouchForAOneOf(t *testing.T) {
	doc := docCopy(t)
	short := openapi3.NewObjectSchema().WithProperty("linkToken", openapi3.NewStringSchema()).WithRequired([]string{"linkToken"})
	long := openapi3.NewObjectSchema().WithProperty("linkToken", openapi3.NewStringSchema()).
		WithProperty("extra", openapi3.NewIntegerSchema()).WithRequired([]string{"linkToken", "extra"})
	*doc.Components.Schemas["TargetOrg"].Value = *openapi3.NewOneOfSchema(short, long) // in place: every $ref shares it
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"linkToken":"abc"}`, true},               // one branch only: long requires extra
		{`{"linkToken":"abc","extra":1}`, false},    // both open branches: oneOf refuses it
		{`{"linkToken":"abc","extra":"one"}`, true}, // short only (extra is undeclared there: a notice)
	} {
		res, err := v.Check(createExchange(createBody, []byte(tc.body), nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() != tc.ok {
			t.Errorf("%s: OK() = %v, want %v: %v", tc.body, res.OK(), tc.ok, res.Violations)
		}
	}
}
