package contract_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestAPlainBodyWithAStatusIsNoEnvelope: a body whose own schema has a
// status member (a migration's "NEW") answered plain to envelope=true
// breaks the envelope rule, not the envelope's schema.
func TestAPlainBodyWithAStatusIsNoEnvelope(t *testing.T) {
	doc := docCopy(t)
	target := doc.Components.Schemas["TargetOrg"].Value
	target.Properties["status"] = openapi3.NewStringSchema().WithEnum("NEW", "READY").NewRef()
	target.Properties["status"].Value.Description = "A test's status."
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens?envelope=true")
	res, err := v.Check(&contract.Exchange{
		Request: &contract.Request{Method: http.MethodPost, URL: u, Header: http.Header{
			"Content-Type": {"application/json"}, "Accept": {"application/vnd.atlas.2023-01-01+json"},
			"Authorization": {"Bearer abc"}}, Body: []byte(`{"accessListIps":[]}`)},
		Response: &contract.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/vnd.atlas.2023-01-01+json"}},
			Body: []byte(`{"linkToken":"x","status":"NEW"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, x := range res.Violations {
		rules = append(rules, x.Rule+" "+x.Pointer)
	}
	if len(rules) != 1 || rules[0] != contract.RuleEnvelope+" " {
		t.Fatalf("violations %v, want only %s on the body (%v)", rules, contract.RuleEnvelope, res.Violations)
	}
}

// TestAWrongEnvelopeContentIsReportedOnce: content that is not an object
// breaks both the envelope's schema and that of the response it wraps, at
// one place (/content): one violation, with Strict or without (it was two,
// the same line printed twice).
func TestAWrongEnvelopeContentIsReportedOnce(t *testing.T) {
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens?envelope=true")
	for _, tc := range []struct {
		name    string
		content string
	}{
		{"a string", `"redactedToken"`},
		{"an array", `[{"linkToken":"x"}]`},
		{"a number", `201`},
	} {
		for _, strict := range []bool{false, true} {
			var opts []contract.Option
			if strict {
				opts = append(opts, contract.Strict())
			}
			v := contract.MustNew(opts...)
			res, err := v.Check(&contract.Exchange{
				Request: &contract.Request{Method: http.MethodPost, URL: u, Header: http.Header{
					"Content-Type": {"application/vnd.atlas.2023-01-01+json"}, "Accept": {"application/vnd.atlas.2023-01-01+json"},
					"Authorization": {"Bearer abc"}}, Body: []byte(`{"accessListIps":["192.0.2.10"]}`)},
				Response: &contract.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/vnd.atlas.2023-01-01+json;charset=utf-8"}},
					Body: []byte(`{"status":201,"content":` + tc.content + `}`)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Violations) != 1 || res.Violations[0].Pointer != "/content" || res.Violations[0].Rule != "type" {
				t.Errorf("%s, strict %v: violations %v; want one, type at /content", tc.name, strict, res.Violations)
			}
		}
	}
}
