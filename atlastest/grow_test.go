package atlastest_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
)

// The service grows with the contract: an operation added to the contract
// is served once it has a handler, and the service's pipeline learns the
// rest from the contract.

const (
	statusOp   = "getLinkTokenStatus"
	statusPath = "/orgs/{orgId}/liveMigrations/linkTokens/status"
)

// grownContract is a copy of the contract with one more operation, a
// read-only GET that only this test defines.
func grownContract(t *testing.T) *contract.Validator {
	t.Helper()
	raw, err := spec.GetSpecJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ref := func(s string) map[string]any { return map[string]any{"$ref": s} }
	rateHeaders := map[string]any{
		"RateLimit-Limit":     ref("#/components/headers/RateLimitLimit"),
		"RateLimit-Remaining": ref("#/components/headers/RateLimitRemaining"),
	}
	status := map[string]any{"oneOf": []any{
		map[string]any{"type": "object", "required": []any{"linked"}, "additionalProperties": false,
			"properties": map[string]any{"linked": map[string]any{"type": "boolean", "description": "Whether the organization has a link."}}},
		ref("#/components/schemas/ResponseEnvelope"),
	}}
	responses := map[string]any{"200": map[string]any{
		"description": "Whether the organization has a link.",
		"headers":     rateHeaders,
		"content": map[string]any{
			atlastest.MediaTypeV2: map[string]any{"schema": status},
			atlastest.MediaTypeV1: map[string]any{"schema": status},
		},
	}}
	for code, name := range map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
		"406": "NotAcceptable", "429": "TooManyRequests", "500": "InternalServerError", "503": "ServiceUnavailable"} {
		responses[code] = ref("#/components/responses/" + name)
	}
	doc["paths"].(map[string]any)[statusPath] = map[string]any{
		"parameters": []any{ref("#/components/parameters/orgId"), ref("#/components/parameters/envelope")},
		"get": map[string]any{
			"operationId": statusOp, "summary": "Whether the organization has a link", "description": "A test's operation.",
			"tags": []any{"Cloud Migration Service"}, "responses": responses,
		},
	}
	grown, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(grown)
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.New(contract.WithDocument(loaded))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAnOperationAddedToTheContractNeedsOnlyItsHandler serves an operation
// that exists only in a test copy of the contract, through a handler given
// by id, and shows that it is authenticated, rate limited, negotiated,
// validated, enveloped, counted and logged like the generated ones, with no
// other change to the service.
func TestAnOperationAddedToTheContractNeedsOnlyItsHandler(t *testing.T) {
	v := grownContract(t)
	if _, err := atlastest.New(atlastest.WithContractValidator(v)); err == nil || !strings.Contains(err.Error(), statusOp) {
		t.Fatalf("a contract operation without a handler: err = %v, want one naming %s", err, statusOp)
	}
	if _, err := atlastest.New(atlastest.WithOperationHandler("noSuchOperation", http.NotFoundHandler())); err == nil ||
		!strings.Contains(err.Error(), "noSuchOperation") {
		t.Fatalf("a handler for no operation: err = %v", err)
	}

	var (
		srv      *atlastest.Server
		calls    atomic.Int32
		log      exchangeLog
		mu       sync.Mutex
		orgParam []string
	)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		org := r.PathValue("orgId")
		mu.Lock()
		orgParam = append(orgParam, org)
		mu.Unlock()
		_, linked := srv.LinkToken(org)
		w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
		fmt.Fprintf(w, `{"linked":%t}`, linked)
	})
	srv = atlastest.NewServer(t, atlastest.WithContractValidator(v), atlastest.WithOperationHandler(statusOp, handler), log.option())
	wire := &checkedTransport{t: t, v: v, base: http.DefaultTransport.(*http.Transport).Clone()}
	authed := &http.Client{Transport: atlas.NewDigestTransport(srv.PublicKey(), srv.PrivateKey(), wire), Timeout: hsDeadline}
	plain := &http.Client{Transport: wire, Timeout: hsDeadline}
	do := func(c *http.Client, method, base, org, query, accept string) (*http.Response, string) {
		t.Helper()
		u := srv.URL() + base + strings.Replace(statusPath, "{orgId}", org, 1) + query
		req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	if r := hsRequestWith(t, authed, srv, http.MethodPost, hsPathA); r.StatusCode != http.StatusCreated {
		t.Fatalf("create in the grown contract: %d", r.StatusCode)
	}
	const served = atlastest.MediaTypeV2 + ";charset=utf-8"
	for _, tc := range []struct {
		name                string
		client              *http.Client
		method, base, org   string
		query, accept       string
		status              int
		ctype, body, header string // header: "Name: value" the response must carry
	}{
		{"authenticated, negotiated (a later version date)", authed, "GET", atlastest.BasePathV2, orgA, "", "application/vnd.atlas.2025-03-12+json",
			200, served, `{"linked":true}`, ""},
		{"v1.0 speaks plain JSON", authed, "GET", atlastest.BasePathV1, orgB, "", "application/json",
			200, "application/json", `{"linked":false}`, ""},
		{"enveloped", authed, "GET", atlastest.BasePathV2, orgA, "?envelope=true", atlastest.MediaTypeV2,
			200, served, `{"status":200,"content":{"linked":true}}`, ""},
		{"pretty", authed, "GET", atlastest.BasePathV2, orgA, "?pretty=true", atlastest.MediaTypeV2,
			200, served, "{\n  \"linked\": true\n}", ""},
		{"no version fits", authed, "GET", atlastest.BasePathV2, orgA, "", "application/vnd.atlas.2020-01-01+json",
			406, "application/json", "", "X-Error-Code: INVALID_VERSION_DATE"},
		{"validated: a malformed orgId", authed, "GET", atlastest.BasePathV2, "ABC", "", atlastest.MediaTypeV2,
			400, "application/json", "", "X-Error-Code: VALIDATION_ERROR"},
		{"validated: a parameter that is no boolean", authed, "GET", atlastest.BasePathV2, orgA, "?envelope=maybe", atlastest.MediaTypeV2,
			400, "application/json", "", "X-Error-Code: VALIDATION_ERROR"},
		{"a method the path does not declare", authed, "PUT", atlastest.BasePathV2, orgA, "", atlastest.MediaTypeV2,
			405, "application/json", "", "Allow: GET"},
		{"unauthenticated", plain, "GET", atlastest.BasePathV2, orgA, "", atlastest.MediaTypeV2,
			401, "application/json", "", "RateLimit-Limit: 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			res, body := do(tc.client, tc.method, tc.base, tc.org, tc.query, tc.accept)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %s %s, want %d %s", res.StatusCode, res.Header.Get("Content-Type"), body, tc.status, tc.ctype)
			}
			if tc.body != "" && body != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok && res.Header.Get(name) != value {
				t.Errorf("%s: %q, want %q", name, res.Header.Get(name), value)
			}
			if res.Header.Get("RateLimit-Remaining") == "" {
				t.Error("no rate-limit headers")
			}
			if reached := calls.Load() > before; reached != (tc.status == 200) {
				t.Errorf("the handler ran: %v; it should only for a request that passed everything", reached)
			}
		})
	}
	t.Run("rate limited per resource", func(t *testing.T) {
		atlastest.SetRateLimit(srv.Service, 2, time.Hour)
		defer atlastest.SetRateLimit(srv.Service, 500, 10*time.Millisecond)
		var statuses []int
		for range 3 {
			res, _ := do(authed, "GET", atlastest.BasePathV2, orgB, "", atlastest.MediaTypeV2)
			statuses = append(statuses, res.StatusCode)
			if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
		if fmt.Sprint(statuses) != "[200 200 429]" {
			t.Errorf("statuses %v, want [200 200 429]", statuses)
		}
		// Another resource (orgA's) has its own bucket.
		if res, _ := do(authed, "GET", atlastest.BasePathV2, orgA, "", atlastest.MediaTypeV2); res.StatusCode != 200 {
			t.Errorf("another organization: %d", res.StatusCode)
		}
	})
	st := srv.Stats()
	const answered = 7 // 4 in the table, 3 rate limited
	if got := st.Count(statusOp, 200); got != answered {
		t.Errorf("Stats counted %d answers 200 to %s, want %d (%v)", got, statusOp, answered, st.Requests)
	}
	var seen int
	for _, x := range log.exchanges() {
		if x.Operation == statusOp && x.Status == 200 {
			seen++
			if x.PathParams["orgId"] != orgA && x.PathParams["orgId"] != orgB {
				t.Errorf("logged path parameters %v", x.PathParams)
			}
		}
	}
	if seen != answered {
		t.Errorf("%d exchanges of %s logged with 200, want %d", seen, statusOp, answered)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(orgParam) != answered || orgParam[0] != orgA || orgParam[1] != orgB {
		t.Errorf("the handler read orgId %v", orgParam)
	}
}

// TestNoOperationLiteralInThePlumbing: outside the files that implement
// or name the operations, no identifier or string of the service's code
// names an operation, its path, its parameters or its media types. The
// pipeline learns them from the contract; a new operation needs no edit
// there (see TestAnOperationAddedToTheContractNeedsOnlyItsHandler).
func TestNoOperationLiteralInThePlumbing(t *testing.T) {
	operationFiles := map[string]bool{
		"links.go": true, // the operations' handler and state
		"token.go": true, // the link-token it mints
		"names.go": true, // the names the contract gives, for callers
	}
	forbidden := []string{"linktoken", "orgid", "livemigration", "/orgs", "2023-01-01", "basepathv", "mediatypev", "targetorg"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || operationFiles[name] {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution) // comments dropped: prose may name them
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var lit string
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false // the module's own path names it
			case *ast.Ident:
				lit = n.Name
			case *ast.BasicLit:
				lit = n.Value
			default:
				return true
			}
			for _, bad := range forbidden {
				if strings.Contains(strings.ToLower(lit), bad) {
					t.Errorf("%s: %s names an operation (%q): the plumbing must learn it from the contract", fset.Position(n.Pos()), lit, bad)
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("only %d files checked", checked)
	}
}
