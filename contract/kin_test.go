package contract_test

import (
	"slices"
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

// TestClosedSchemasSplitNoticesFromViolations: where the closed schemas
// judge a response alone, a property refused because closing refused it is
// a notice, and one the document itself refuses (additionalProperties:
// false) stays a violation, beside any other.
func TestClosedSchemasSplitNoticesFromViolations(t *testing.T) {
	doc := docCopy(t)
	no := false
	doc.Components.Schemas["ApiError"].Value.AdditionalProperties.Has = &no
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	errorBody := `{"error":404,"errorCode":"RESOURCE_NOT_FOUND","reason":"Not Found","detail":"x","parameters":[]`
	for _, tc := range []struct {
		name, status, body          string
		wantViolations, wantNotices []string
	}{
		{"undeclared property", "201", `{"linkToken":"abc","expiresAt":"soon"}`, nil, []string{"/expiresAt"}},
		{"undeclared and too short", "201", `{"linkToken":"","expiresAt":"soon"}`, []string{"/linkToken"}, []string{"/expiresAt"}},
		{"refused by the document", "404", errorBody + `,"extra":1}`, []string{"/extra"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(tc.body), nil, nil)
			if tc.status == "404" {
				ex.Response.StatusCode = 404
				ex.Response.Header.Set("Content-Type", "application/json")
			}
			res, err := v.Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := pointers(res.Violations); !slices.Equal(got, tc.wantViolations) {
				t.Errorf("violations at %v, want %v: %v", got, tc.wantViolations, res.Violations)
			}
			if got := pointers(res.Notices); !slices.Equal(got, tc.wantNotices) {
				t.Errorf("notices at %v, want %v: %v", got, tc.wantNotices, res.Notices)
			}
		})
	}
}

func pointers(vs contract.Violations) []string {
	var out []string
	for _, x := range vs {
		out = append(out, x.Pointer)
	}
	return out
}
