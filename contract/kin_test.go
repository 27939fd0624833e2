package contract_test

import (
	"net/http"
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
			checkPointers(t, v, ex, pointers, tc.wantViolations, tc.wantNotices)
		})
	}
}

// TestComposedBodyKeepsItsNotices: a body whose schema composes others
// (an anyOf inside it) is checked against its closed copy first and, when
// that refuses it, against the open one for the violations; the
// undeclared properties the closed copy refused are notices, beside them.
func TestComposedBodyKeepsItsNotices(t *testing.T) {
	doc := docCopy(t)
	target := doc.Components.Schemas["TargetOrg"].Value
	target.Properties["linkToken"] = openapi3.NewAnyOfSchema(openapi3.NewStringSchema().WithMinLength(1), openapi3.NewIntegerSchema()).NewRef()
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body                  string
		wantViolations, wantNotices []string
	}{
		{"conforms", `{"linkToken":7}`, nil, nil},
		{"undeclared property", `{"linkToken":"abc","expiresAt":"soon"}`, nil, []string{"/expiresAt"}},
		{"undeclared and too short", `{"linkToken":"","expiresAt":"soon"}`, []string{"/linkToken"}, []string{"/expiresAt"}},
		{"undeclared and of neither type", `{"linkToken":true,"expiresAt":"soon","more":1}`, []string{"/linkToken"}, []string{"/expiresAt", "/more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkPointers(t, v, createExchange(createBody, []byte(tc.body), nil, nil), sortedPointers, tc.wantViolations, tc.wantNotices)
		})
	}
}

// TestBodyJudgedApartKeepsItsNotices: when a response header fails, the
// body is judged on its own, closed schemas first as for a whole response;
// its violations and its notices are those it has beside a good header,
// whether its schema is flat or composes others (an anyOf inside it), and
// a strict check reports the undeclared properties as violations.
func TestBodyJudgedApartKeepsItsNotices(t *testing.T) {
	flatDoc, composedDoc := docCopy(t), docCopy(t)
	composedDoc.Components.Schemas["TargetOrg"].Value.Properties["linkToken"] =
		openapi3.NewAnyOfSchema(openapi3.NewStringSchema().WithMinLength(1), openapi3.NewIntegerSchema()).NewRef()
	for _, doc := range []struct {
		name string
		doc  *openapi3.T
	}{{"flat", flatDoc}, {"composed", composedDoc}} {
		v, err := contract.New(contract.WithDocument(doc.doc))
		if err != nil {
			t.Fatal(err)
		}
		strict, err := contract.New(contract.WithDocument(doc.doc), contract.Strict())
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, body                              string
			wantViolations, wantNotices, wantStrict []string
		}{
			{"conforms", `{"linkToken":"abc"}`, []string{"/Ratelimit-Limit"}, nil, []string{"/Ratelimit-Limit"}},
			{"undeclared property", `{"linkToken":"abc","expiresAt":"soon"}`,
				[]string{"/Ratelimit-Limit"}, []string{"/expiresAt"}, []string{"/Ratelimit-Limit", "/expiresAt"}},
			{"undeclared and too short", `{"linkToken":"","expiresAt":"soon","more":1}`,
				[]string{"/Ratelimit-Limit", "/linkToken"}, []string{"/expiresAt", "/more"}, []string{"/Ratelimit-Limit", "/expiresAt", "/linkToken", "/more"}},
		} {
			t.Run(doc.name+"/"+tc.name, func(t *testing.T) {
				ex := createExchange(createBody, []byte(tc.body), nil, http.Header{"Ratelimit-Limit": {"many"}})
				checkPointers(t, v, ex, sortedPointers, tc.wantViolations, tc.wantNotices)
				t.Run("strict", func(t *testing.T) { checkPointers(t, strict, ex, sortedPointers, tc.wantStrict, nil) })
			})
		}
	}
}

// TestEveryBrokenHeaderIsReported: ValidateResponse stops at the first
// header that fails; every other is still judged, before the body.
func TestEveryBrokenHeaderIsReported(t *testing.T) {
	v := contract.MustNew()
	for _, tc := range []struct {
		name   string
		header http.Header
		want   []string
	}{
		{"the first", http.Header{"Ratelimit-Limit": {"many"}}, []string{"/Ratelimit-Limit"}},
		{"the second", http.Header{"Ratelimit-Remaining": {"few"}}, []string{"/Ratelimit-Remaining"}},
		{"both", http.Header{"Ratelimit-Limit": {"many"}, "Ratelimit-Remaining": {"few"}}, []string{"/Ratelimit-Limit", "/Ratelimit-Remaining"}},
		{"both and the body", http.Header{"Ratelimit-Limit": {"-"}, "Ratelimit-Remaining": {"few"}}, []string{"/Ratelimit-Limit", "/Ratelimit-Remaining", "/linkToken"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"linkToken":"abc"}`
			if tc.name == "both and the body" {
				body = `{"linkToken":""}`
			}
			res, err := v.Check(createExchange(createBody, []byte(body), nil, tc.header))
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedPointers(res.Violations); !slices.Equal(got, tc.want) {
				t.Errorf("violations at %v, want %v: %v", got, tc.want, res.Violations)
			}
		})
	}
}

// checkPointers checks ex with v and compares where its violations and
// its notices point (as order lists them) with the wanted pointers.
func checkPointers(t *testing.T, v *contract.Validator, ex *contract.Exchange, order func(contract.Violations) []string, wantViolations, wantNotices []string) {
	t.Helper()
	res, err := v.Check(ex)
	if err != nil {
		t.Fatal(err)
	}
	if got := order(res.Violations); !slices.Equal(got, wantViolations) {
		t.Errorf("violations at %v, want %v: %v", got, wantViolations, res.Violations)
	}
	if got := order(res.Notices); !slices.Equal(got, wantNotices) {
		t.Errorf("notices at %v, want %v: %v", got, wantNotices, res.Notices)
	}
}

func sortedPointers(vs contract.Violations) []string {
	out := pointers(vs)
	slices.Sort(out)
	return out
}

func pointers(vs contract.Violations) []string {
	var out []string
	for _, x := range vs {
		out = append(out, x.Pointer)
	}
	return out
}
