package spec_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

const specPath = "../../openapi/linktoken.yaml"

// strictValidation is how the contract must pass: examples checked against
// their schemas, and any format kin-openapi does not know is an error rather
// than silently accepted.
var strictValidation = []openapi3.ValidationOption{
	openapi3.EnableExamplesValidation(),
	openapi3.EnableSchemaFormatValidation(),
	openapi3.EnableSchemaPatternValidation(),
}

func loadSpecFile(t *testing.T) *openapi3.T {
	t.Helper()
	specformats.Register()
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatalf("load %s: %v", specPath, err)
	}
	return doc
}

func TestSpecLoadsAndValidates(t *testing.T) {
	doc := loadSpecFile(t)
	if err := doc.Validate(context.Background(), strictValidation...); err != nil {
		t.Fatalf("contract does not validate: %v", err)
	}
	if got := doc.OpenAPI; got != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", got)
	}
}

func TestEmbeddedSpecMatchesFile(t *testing.T) {
	fromFile := loadSpecFile(t)
	// oapi-codegen copies a path item's servers onto each of its operations
	// in the spec it embeds (pkg/codegen/operations.go); the file says the
	// same once, on the path item (a path served on v2 only, say).
	for _, item := range fromFile.Paths.Map() {
		if len(item.Servers) > 0 {
			for _, op := range item.Operations() {
				if op.Servers == nil {
					op.Servers = &item.Servers
				}
			}
		}
	}
	embedded, err := spec.GetSwagger()
	if err != nil {
		t.Fatalf("GetSwagger: %v", err)
	}
	a, _ := json.Marshal(fromFile)
	b, _ := json.Marshal(embedded)
	if string(a) != string(b) {
		t.Fatal("the spec embedded in generated/ differs from openapi/linktoken.yaml: run make generate")
	}
}

// TestUnknownFormatFailsValidation proves the ip-or-cidr format is enforced
// because it is registered, not because kin-openapi ignores unknown formats.
func TestUnknownFormatFailsValidation(t *testing.T) {
	doc := loadSpecFile(t)
	items := doc.Components.Schemas["TargetOrgRequest"].Value.Properties["accessListIps"].Value.Items.Value
	items.Format = "no-such-format"
	if err := doc.Validate(context.Background(), strictValidation...); err == nil {
		t.Fatal("validation passed with an unregistered format; format validation is not switched on")
	}
}

func TestEveryBodyHasAnExampleThatValidates(t *testing.T) {
	doc := loadSpecFile(t)
	checked := 0
	check := func(where string, mt *openapi3.MediaType) {
		t.Helper()
		if mt.Example == nil && len(mt.Examples) == 0 {
			t.Errorf("%s: no example", where)
			return
		}
		for name, ex := range mt.Examples {
			if err := mt.Schema.Value.VisitJSON(ex.Value.Value, openapi3.MultiErrors()); err != nil {
				t.Errorf("%s example %q does not match its schema: %v", where, name, err)
			}
			checked++
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					check(method+" "+path+" request "+ct, mt)
				}
			}
			for status, resp := range op.Responses.Map() {
				for ct, mt := range resp.Value.Content {
					check(method+" "+path+" "+status+" "+ct, mt)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d examples; the walk is missing bodies", checked)
	}
}

// TestSpecIsCompleteForAReader holds the contract to its promise that every
// operation, parameter, schema and property says what it is.
func TestSpecIsCompleteForAReader(t *testing.T) {
	doc := loadSpecFile(t)
	if doc.Info.Description == "" || doc.Info.Contact == nil {
		t.Error("info needs a description and a contact")
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Summary == "" || op.Description == "" || len(op.Tags) == 0 {
				t.Errorf("%s %s: needs summary, description and tag", method, path)
			}
			for status, resp := range op.Responses.Map() {
				if resp.Value.Description == nil || *resp.Value.Description == "" {
					t.Errorf("%s %s %s: response without description", method, path, status)
				}
			}
		}
	}
	for name, p := range doc.Components.Parameters {
		if p.Value.Description == "" {
			t.Errorf("parameter %s: no description", name)
		}
	}
	for name, s := range doc.Components.Schemas {
		if s.Value.Description == "" {
			t.Errorf("schema %s: no description", name)
		}
		for prop, ps := range s.Value.Properties {
			if ps.Value.Description == "" {
				t.Errorf("schema %s property %s: no description", name, prop)
			}
		}
	}
}

func TestResponsesDeclaredForEveryOperation(t *testing.T) {
	doc := loadSpecFile(t)
	item := doc.Paths.Find("/orgs/{orgId}/liveMigrations/linkTokens")
	if item == nil {
		t.Fatal("link-token path missing")
	}
	want := map[string][]string{
		"createLinkToken": {"200", "201", "400", "401", "403", "404", "406", "413", "415", "429", "500", "503"},
		"deleteLinkToken": {"200", "204", "400", "401", "403", "404", "406", "409", "413", "429", "500", "503"},
	}
	for _, op := range []*openapi3.Operation{item.Post, item.Delete} {
		var got []string
		for status, resp := range op.Responses.Map() {
			got = append(got, status)
			for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining"} {
				if resp.Value.Headers[h] == nil {
					t.Errorf("%s %s: %s header not declared", op.OperationID, status, h)
				}
			}
			if strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5") {
				if _, ok := resp.Value.Content["application/json"]; !ok || len(resp.Value.Content) != 1 {
					t.Errorf("%s %s: error body must be application/json only", op.OperationID, status)
				}
			}
		}
		if !sameSet(got, want[op.OperationID]) {
			t.Errorf("%s declares %v, want %v", op.OperationID, got, want[op.OperationID])
		}
	}
	if h := item.Post.Responses.Value("401").Value.Headers["WWW-Authenticate"]; h == nil || !h.Value.Required {
		t.Error("401 must require the WWW-Authenticate challenge")
	}
	// MongoDB's v2 specification: Retry-After "might be returned for 429 or 503".
	if h := item.Post.Responses.Value("429").Value.Headers["Retry-After"]; h == nil || h.Value.Required {
		t.Error("429 must declare Retry-After, not require it")
	}
}

func sameSet(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestSchemasFollowTheLiveService(t *testing.T) {
	doc := loadSpecFile(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	tests := []struct {
		name    string
		schema  string
		body    string
		wantErr string
	}{
		{name: "recorded 201 body", schema: "TargetOrg", body: `{"linkToken":"redactedToken"}`},
		// The seed page's own example body: an array where its table says string.
		{name: "seed example body is rejected", schema: "TargetOrg", body: `{"linkToken":["string"]}`, wantErr: "string"},
		{name: "recorded 404 with null parameters", schema: "ApiError", body: `{"detail":"Could not find the requested external organization link.","error":404,"errorCode":"UNEXPECTED_ERROR","parameters":null,"reason":"Not Found"}`},
		{name: "null errorCode seen live in 2025", schema: "ApiError", body: `{"error":500,"errorCode":null,"detail":null,"reason":null}`},
		{name: "errorCode of the wrong type", schema: "ApiError", body: `{"error":404,"errorCode":404}`, wantErr: "string"},
		{name: "addresses and blocks", schema: "TargetOrgRequest", body: `{"accessListIps":["192.0.2.1","10.0.0.0/8","2001:db8::/32","::1"]}`},
		{name: "empty access list as the Atlas CLI sends it", schema: "TargetOrgRequest", body: `{"accessListIps":[]}`},
		{name: "not an address", schema: "TargetOrgRequest", body: `{"accessListIps":["not-an-ip"]}`, wantErr: "ip-or-cidr"},
		{name: "malformed CIDR", schema: "TargetOrgRequest", body: `{"accessListIps":["10.0.0.0/33"]}`, wantErr: "ip-or-cidr"},
		{name: "access list not an array", schema: "TargetOrgRequest", body: `{"accessListIps":"192.0.2.1"}`, wantErr: "array"},
		// MongoDB's v2 specification does not require the list, and its Go SDK leaves it out when unset.
		{name: "access list absent as MongoDB's Go SDK sends it", schema: "TargetOrgRequest", body: `{}`},
		{name: "access list null, read as absent (assumed)", schema: "TargetOrgRequest", body: `{"accessListIps":null}`},
		{name: "undeclared property", schema: "TargetOrgRequest", body: `{"accessListIps":[],"note":"x"}`, wantErr: "note"},
		{name: "envelope", schema: "TargetOrgOrEnvelope", body: `{"status":201,"content":{"linkToken":"x"}}`},
		{name: "neither token nor envelope", schema: "TargetOrgOrEnvelope", body: `{"status":"201"}`, wantErr: "must be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
				t.Fatal(err)
			}
			err := schema(tt.schema).VisitJSON(v)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("accepted, want an error about %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

// TestServersNameTheirMediaTypes: each server lists the media types of its
// request and success bodies (MongoDB's reference page: v2 takes
// application/json as well as the versioned type; the v1.0 specification
// knows only application/json).
func TestServersNameTheirMediaTypes(t *testing.T) {
	doc := loadSpecFile(t)
	want := map[string]any{
		"https://cloud.mongodb.com/api/atlas/v2": map[string]any{
			"requests":  []any{"application/vnd.atlas.{version}+json", "application/json"},
			"responses": []any{"application/vnd.atlas.{version}+json"},
		},
		"https://cloud.mongodb.com/api/atlas/v1.0": map[string]any{
			"requests":  []any{"application/json"},
			"responses": []any{"application/json"},
		},
	}
	got := map[string]any{}
	for _, s := range doc.Servers {
		got[s.URL] = s.Extensions["x-atlas-media-types"]
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("servers = %v, want %v", got, want)
	}
}

// TestRequestSchemasAreClosed: every object schema a request body can reach
// declares additionalProperties (false for the contract's own), so a new
// operation cannot forget that the service rejects unknown fields.
func TestRequestSchemasAreClosed(t *testing.T) {
	doc := loadSpecFile(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(string, *openapi3.SchemaRef)
	walk = func(at string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			t.Errorf("%s: an object in a request body without additionalProperties", at)
		}
		for name, p := range s.Properties {
			walk(at+"/"+name, p)
		}
		walk(at+"/items", s.Items)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			for mt, m := range op.RequestBody.Value.Content {
				walk(method+" "+path+" "+mt, m.Schema)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no request schema found")
	}
}

func TestMain(m *testing.M) {
	if _, err := os.Stat(specPath); err != nil {
		panic("run the tests from the module: " + err.Error())
	}
	os.Exit(m.Run())
}
