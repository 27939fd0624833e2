package linktoken_test

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"go.yaml.in/yaml/v3"
)

// The files oapi-codegen reads for the generated client, relative to the module root,
// where go generate runs it (see gen.go).
const (
	contractPath     = "openapi/linktoken.yaml"
	clientConfigPath = "openapi/client.cfg.yaml"
)

// narrowOverlay folds one response by its path, as the client overlay once
// did for each response: the failure TestClientViewHasOneJSONMediaTypePerResponse
// exists to catch is an operation or status such a list forgets.
func narrowOverlay(r multiJSON) string {
	return fmt.Sprintf(`overlay: 1.0.0
x-speakeasy-jsonpath: rfc9535
info:
  title: one response folded by its path
  version: 1.0.0
actions:
  - target: $.paths['%s'].%s.responses['%s'].content[?@~ != 'application/json' && search(@~, '\\+json')]
    remove: true
`, r.path, strings.ToLower(r.method), r.status)
}

// multiJSON is a response the contract gives more than one JSON media type.
type multiJSON struct{ path, method, operationID, status string }

// contractMultiJSON lists, sorted by operation and status, the responses
// the contract gives more than one JSON media type: those the client's
// view must fold.
func contractMultiJSON(doc *openapi3.T) []multiJSON {
	var out []multiJSON
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			for status, resp := range op.Responses.Map() {
				if len(jsonMediaTypes(resp.Value)) > 1 {
					out = append(out, multiJSON{path, method, op.OperationID, status})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b multiJSON) int {
		return cmp.Or(strings.Compare(a.operationID, b.operationID), strings.Compare(a.status, b.status))
	})
	return out
}

// TestClientViewHasOneJSONMediaTypePerResponse applies the client's overlay
// exactly as oapi-codegen does (its own loader, with the options its command
// derives from openapi/client.cfg.yaml) and checks that every response with a
// JSON body offers exactly one JSON media type in that view. With two, the
// generated ParseXxxResponse compares Content-Type byte for byte and leaves
// JSON200, JSON201, … nil on the live `…+json;charset=utf-8`: silently, since
// the body is still in Body. Every status is checked, not only 2xx: an error
// response with two JSON media types would lose its typed field the same way.
func TestClientViewHasOneJSONMediaTypePerResponse(t *testing.T) {
	clientOverlay, strict := overlayOfConfig(t, clientConfigPath)
	// The negative cases come from the contract: the responses with two
	// JSON media types, and an overlay that folds only the first of them.
	multi := contractMultiJSON(loadClientView(t, "", strict))
	if len(multi) < 2 {
		t.Fatalf("the contract has %d responses with more than one JSON media type; "+
			"the cases below need two to show that an overlay listing responses forgets some", len(multi))
	}
	var all []string
	for _, r := range multi {
		all = append(all, r.operationID+" "+r.status)
	}
	narrow := filepath.Join(t.TempDir(), "narrow.overlay.yaml")
	if err := os.WriteFile(narrow, []byte(narrowOverlay(multi[0])), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		overlay string
		// want lists the responses that must be reported, as "operationId status".
		want []string
	}{
		{name: "the client's overlay", overlay: clientOverlay},
		{name: "no overlay", overlay: "", want: all},
		{name: "an overlay that lists responses by path and forgets some", overlay: narrow, want: all[1:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contract := loadClientView(t, "", strict)
			view := loadClientView(t, tt.overlay, strict)
			var reported []string
			for _, p := range responsesWithoutOneJSONMediaType(contract, view) {
				reported = append(reported, p.operationID+" "+p.status)
				if len(tt.want) == 0 {
					t.Errorf("%s %s offers %d JSON media types %v in the client's view, want 1 (the contract offers %d): "+
						"the generated client would leave its typed field nil; fold it in %s",
						p.operationID, p.status, len(p.viewJSON), p.viewJSON, p.contractJSON, clientOverlay)
				}
			}
			if len(tt.want) > 0 && !slices.Equal(reported, tt.want) {
				t.Errorf("reported %v, want %v", reported, tt.want)
			}
		})
	}
}

// overlayOfConfig returns the overlay path and strictness that oapi-codegen's
// command takes from the config at path (strict unless the config says not).
func overlayOfConfig(t *testing.T, path string) (overlay string, strict bool) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The command's own configuration type, read with the YAML library it uses.
	var cfg codegen.Configuration
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	o := cfg.OutputOptions.Overlay
	if o.Path == "" {
		t.Fatalf("%s names no overlay: the generated client would compare Content-Type byte for byte", path)
	}
	return o.Path, o.Strict == nil || *o.Strict
}

// loadClientView loads the contract as oapi-codegen does, through overlay
// when one is named. Remote references are refused: the test needs no network.
func loadClientView(t *testing.T, overlay string, strict bool) *openapi3.T {
	t.Helper()
	doc, err := util.LoadSwaggerWithOverlay(contractPath, util.LoadSwaggerWithOverlayOpts{
		Path:                overlay,
		Strict:              strict,
		AllowRemoteRefsFrom: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// mediaTypeCount is a response whose client view does not offer exactly one
// JSON media type although the contract gives it a JSON body.
type mediaTypeCount struct {
	operationID, status string
	contractJSON        int
	viewJSON            []string
}

// responsesWithoutOneJSONMediaType compares every response of every
// operation in the contract with the same response in the client's view,
// sorted by operation and status. A response the view dropped counts as
// offering no JSON media type.
func responsesWithoutOneJSONMediaType(contract, view *openapi3.T) []mediaTypeCount {
	var found []mediaTypeCount
	for _, path := range contract.Paths.InMatchingOrder() {
		for method, op := range contract.Paths.Value(path).Operations() {
			for status, resp := range op.Responses.Map() {
				contractJSON := len(jsonMediaTypes(resp.Value))
				if contractJSON == 0 {
					continue
				}
				var viewJSON []string
				if item := view.Paths.Value(path); item != nil {
					if viewOp := item.GetOperation(method); viewOp != nil && viewOp.Responses != nil {
						viewJSON = jsonMediaTypes(viewOp.Responses.Value(status).Value)
					}
				}
				if len(viewJSON) != 1 {
					found = append(found, mediaTypeCount{op.OperationID, status, contractJSON, viewJSON})
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b mediaTypeCount) int {
		return cmp.Or(strings.Compare(a.operationID, b.operationID), strings.Compare(a.status, b.status))
	})
	return found
}

// jsonMediaTypes lists, sorted, the media types of resp that oapi-codegen
// treats as JSON (util.IsMediaTypeJson is the test it applies itself).
func jsonMediaTypes(resp *openapi3.Response) []string {
	if resp == nil {
		return nil
	}
	var json []string
	for mt := range resp.Content {
		if util.IsMediaTypeJson(mt) {
			json = append(json, mt)
		}
	}
	slices.Sort(json)
	return json
}
