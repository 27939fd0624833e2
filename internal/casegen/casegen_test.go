package casegen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/internal/growncontract"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

func grownCases(t *testing.T) []Case {
	t.Helper()
	specformats.Register()
	doc, err := growncontract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(doc)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := g.Cases()
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestEnvelopeContentBreaksOneTypedPropertyEveryTime: the case whose
// enveloped content breaks its schema breaks the same property in every
// run (the first by name that has a type), with a value of another type.
func TestEnvelopeContentBreaksOneTypedPropertyEveryTime(t *testing.T) {
	var first []string
	for run := range 20 {
		var got []string
		for _, c := range grownCases(t) {
			if c.Broken != nil && c.Broken.Rule == "envelope-content" && c.Operation == growncontract.GetOp {
				got = append(got, c.Broken.Where+" "+string(c.Response.Body))
			}
		}
		if len(got) != 1 || !strings.HasPrefix(got[0], "/content/clusterName ") || !strings.Contains(got[0], `"clusterName":12345`) {
			t.Fatalf("run %d: %q, want /content/clusterName broken by a number", run, got)
		}
		if run == 0 {
			first = got
		} else if got[0] != first[0] {
			t.Fatalf("run %d broke %q, run 0 %q", run, got, first)
		}
	}
}

// TestNotUTF8BreaksFreeTextOnly: the byte that is not UTF-8 goes into a
// property with no pattern, checked format or enum, so the body breaks
// that rule alone.
func TestNotUTF8BreaksFreeTextOnly(t *testing.T) {
	s := openapi3.NewObjectSchema().
		WithProperty("aId", openapi3.NewStringSchema().WithPattern("^[a-f0-9]{24}$")).
		WithProperty("bState", openapi3.NewStringSchema().WithEnum("NEW")).
		WithProperty("cName", openapi3.NewStringSchema())
	body := []byte(`{"aId":"6f3322d28b4f6b59a6508ef4","bState":"NEW","cName":"Cluster0"}`)
	got, ok := invalidUTF8(body, s)
	if !ok || !bytes.Equal(got, []byte("{\"aId\":\"6f3322d28b4f6b59a6508ef4\",\"bState\":\"NEW\",\"cName\":\"\xffCluster0\"}")) {
		t.Fatalf("%q, %v", got, ok)
	}
	s.Properties["cName"].Value.Pattern = "^C"
	if got, ok := invalidUTF8(body, s); ok {
		t.Fatalf("no free text, yet %q", got)
	}
}

// TestAPlaceWithoutAnExampleIsNamed: the values sent are the contract's own
// examples; a header whose schema gives none fails the derivation with its
// name and what to write, rather than sending a value made up here.
func TestAPlaceWithoutAnExampleIsNamed(t *testing.T) {
	specformats.Register()
	doc, err := growncontract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	doc.Components.Headers["RateLimitLimit"].Value.Schema.Value.Example = nil
	g, err := New(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Cases()
	if err == nil || !strings.Contains(err.Error(), "header RateLimit-Limit: no example, default or enum to send: give its schema an example") {
		t.Fatalf("got %v, want the header named and an example asked for", err)
	}
}
