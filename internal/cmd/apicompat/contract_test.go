package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
)

// Edits of the real contract, each anchored on text that occurs once in
// the contract, or once within its operation or component (replaceWithin).
const (
	deleteOperationID        = "      operationId: deleteLinkToken\n"
	createOperationID        = "      operationId: createLinkToken\n"
	orgIDParameter           = "    orgId:\n"
	deleteResponses409And429 = "        \"409\":\n          $ref: \"#/components/responses/Conflict\"\n        \"429\":\n          $ref: \"#/components/responses/TooManyRequests\"\n"
	deleteResponses409       = "        \"409\":\n          $ref: \"#/components/responses/Conflict\"\n"
	createParameters         = "      parameters:\n        - $ref: \"#/components/parameters/pretty\"\n"
	createParametersDryRun   = createParameters + "        - name: dryRun\n          in: query\n          required: false\n          description: Check the request without creating anything.\n          schema:\n            type: boolean\n"
	requestProperties        = "      additionalProperties: false\n      properties:\n        accessListIps:\n"
	requestPropertiesNote    = "      required: [note]\n      additionalProperties: false\n      properties:\n        note:\n          type: string\n          description: A note.\n        accessListIps:\n"
	deleteOperation          = "/orgs/{orgId}/liveMigrations/linkTokens"
	// Parameters declared once for the path, which oasdiff compares only when told to flatten them.
	orgIDPattern     = "        pattern: \"^([a-fA-F0-9]{24})$\"\n"
	orgIDMaxLength   = "        maxLength: 24\n"
	envelopeOptional = "      x-atlas-assumed: [envelope-status-line, envelope-challenge]\n      required: false\n"
)

func readContract(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot, contractPath))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContractBreaks applies one change at a time to a copy of the contract
// and asserts what the check says of it: each breaking change named on a line
// of its own with its operation, its rule and where it is; a compatible change
// passes.
func TestContractBreaks(t *testing.T) {
	t.Parallel()
	bin := builtTool(t, oasdiff)
	contract := readContract(t)
	tests := []struct {
		name string
		edit func(*testing.T, string) string
		// want holds, per breaking change, the parts its line must contain;
		// nil means compatible.
		want [][]string
	}{
		{
			name: "unchanged",
			edit: func(_ *testing.T, s string) string { return s },
		},
		{
			name: "the 429 response removed from delete",
			edit: func(t *testing.T, s string) string {
				return replaceWithin(t, s, deleteOperationID, deleteResponses409And429, deleteResponses409)
			},
			want: [][]string{{"base:openapi/linktoken.yaml:", ": error: DELETE " + deleteOperation + ": ", "`429`", "[response-non-success-status-removed]"}},
		},
		{
			name: "the pretty query parameter removed from create",
			edit: func(t *testing.T, s string) string {
				return replaceWithin(t, s, createOperationID, createParameters, "")
			},
			want: [][]string{{": warning: POST " + deleteOperation + ": ", "`pretty`", "[request-parameter-removed]"}},
		},
		{
			name: "a new required request property",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, requestProperties, requestPropertiesNote)
			},
			// One per media type of the request body.
			want: [][]string{
				{"openapi/linktoken.yaml:", ": error: POST " + deleteOperation + ": ", "`note`", "(media type: application/json)", "[new-required-request-property]"},
				{"openapi/linktoken.yaml:", ": error: POST " + deleteOperation + ": ", "`note`", "(media type: application/vnd.atlas.2023-01-01+json)", "[new-required-request-property]"},
			},
		},
		{
			name: "the path-level orgId's pattern narrowed",
			edit: func(t *testing.T, s string) string {
				return replaceWithin(t, s, orgIDParameter, orgIDPattern, strings.Replace(orgIDPattern, "a-fA-F0-9", "a-f0-9", 1))
			},
			want: [][]string{
				{": POST " + deleteOperation + ": ", "`orgId`", "[request-parameter-pattern-"},
				{": DELETE " + deleteOperation + ": ", "`orgId`", "[request-parameter-pattern-"},
			},
		},
		{
			name: "the path-level orgId's maxLength decreased",
			edit: func(t *testing.T, s string) string {
				return replaceWithin(t, s, orgIDParameter, orgIDMaxLength, "        maxLength: 23\n")
			},
			want: [][]string{
				{": POST " + deleteOperation + ": ", "`orgId`", "[request-parameter-max-length-decreased]"},
				{": DELETE " + deleteOperation + ": ", "`orgId`", "[request-parameter-max-length-decreased]"},
			},
		},
		{
			name: "the path-level envelope made required",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, envelopeOptional, strings.Replace(envelopeOptional, "false", "true", 1))
			},
			// One line per operation that takes the envelope, however many
			// the contract has.
			want: becameRequired(t, "envelope"),
		},
		{
			name: "the v2 server no longer lists application/json for requests (x-atlas-media-types)",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v2MediaTypes, strings.Replace(v2MediaTypes, `, application/json]`, `]`, 1))
			},
			want: [][]string{{"openapi/linktoken.yaml:", ": error: servers[https://cloud.mongodb.com/api/atlas/v2].x-atlas-media-types: requests: `application/json` removed", "[x-atlas-media-types-request-removed]"}},
		},
		{
			// Compatible for HTTP clients; the generated interfaces gain a method (TestGoAPICheck).
			name: "a new operation",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, "\ncomponents:\n", "\n"+newOperation+"components:\n")
			},
		},
		{
			name: "a new optional query parameter on create",
			edit: func(t *testing.T, s string) string {
				return replaceWithin(t, s, createOperationID, createParameters, createParametersDryRun)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			basePath, revPath := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "revision.yaml")
			writeFile(t, basePath, []byte(contract))
			writeFile(t, revPath, []byte(tt.edit(t, contract)))
			lines := breakingLines(t, bin, dir, basePath, revPath)
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d breaking changes, want %d:\n%s", len(lines), len(tt.want), strings.Join(lines, "\n"))
			}
			for _, parts := range tt.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return containsAll(l, parts) }) {
					t.Errorf("no line holds all of %q:\n%s", parts, strings.Join(lines, "\n"))
				}
			}
		})
	}
}

// breakingLines compares two contract files and returns the line of each
// breaking change.
func breakingLines(t *testing.T, bin, dir, basePath, revPath string) []string {
	t.Helper()
	changes, err := contractChanges(context.Background(), bin, dir, basePath, revPath, "base:"+contractPath, contractPath, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range changes {
		if c.breaking {
			lines = append(lines, c.line())
		}
	}
	return lines
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestContractCheckAgainstARevision runs the check as `make api-diff` does, in
// a scratch repository: against a named revision, then against the previous
// release tag, and skipped while there is none.
func TestContractCheckAgainstARevision(t *testing.T) {
	t.Parallel()
	bin := builtTool(t, oasdiff)
	contract := readContract(t)
	repo := scratchRepo(t, map[string][]byte{contractPath: []byte(contract)})
	check := func(base string, wantCode int, wantOut ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		o := &options{root: repo, tool: bin, env: testEnv(), stdout: &stdout, stderr: &stderr}
		code := checks["contract"].check(context.Background(), o, base)
		if code != wantCode {
			t.Fatalf("base %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", base, code, wantCode, &stdout, &stderr)
		}
		for _, w := range wantOut {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("base %q: stdout lacks %q:\n%s", base, w, &stdout)
			}
		}
	}

	check("", exitCompatible, "api-diff: SKIPPED: no previous release: ")

	writeFile(t, filepath.Join(repo, contractPath), []byte(replaceWithin(t, contract, deleteOperationID, deleteResponses409And429, deleteResponses409)))
	check("HEAD", exitBreaking,
		"HEAD:openapi/linktoken.yaml:", "DELETE "+deleteOperation, "`429`",
		"api-diff: openapi/linktoken.yaml against HEAD: 1 breaking change\n")

	git(t, repo, "tag", "v0.1.0")
	git(t, repo, "-c", "commit.gpgsign=false", "commit", "--quiet", "-am", "drop the 429")
	git(t, repo, "tag", "v0.1.1") // on HEAD: the check compares with the release before it
	check("", exitBreaking, "v0.1.0:openapi/linktoken.yaml:", "`429`", "against v0.1.0: 1 breaking change\n")
	// A release that may break: before v1, a new minor version.
	git(t, repo, "tag", "v0.2.0")
	check("", exitCompatible, "`429`", "against v0.1.0: 1 breaking change, allowed: before v1, v0.2.0 is a new minor version after v0.1.0\n")
	git(t, repo, "tag", "-d", "v0.2.0")

	git(t, repo, "checkout", "--quiet", "v0.1.0", "--", contractPath)
	writeFile(t, filepath.Join(repo, contractPath), []byte(replaceWithin(t, contract, createOperationID, createParameters, createParametersDryRun)))
	check("", exitCompatible, "api-diff: openapi/linktoken.yaml against v0.1.0: no breaking change\n")
}

// TestEditsStayWithinTheirOperation: in a contract grown by an operation and
// a parameter with the same text as the ones the edits change, the edits
// still change only theirs, and an edit anchored on the whole file says
// what to do rather than change the wrong place.
func TestEditsStayWithinTheirOperation(t *testing.T) {
	s := readContract(t)
	del := s[strings.Index(s, deleteOperationID):]
	del = del[:strings.Index(del, "\ncomponents:\n")+1]
	grown := strings.Replace(s, "\ncomponents:\n", "\n  /groups/{groupId}/liveMigrations:\n    delete:\n"+
		strings.Replace(del, "deleteLinkToken", "deletePushMigration", 1)+"components:\n", 1)
	grown = strings.Replace(grown, orgIDParameter, "    groupId:\n      name: groupId\n      in: path\n      required: true\n"+
		"      description: A project.\n      schema:\n        type: string\n"+orgIDPattern+orgIDMaxLength+orgIDParameter, 1)
	for _, edit := range []struct{ scope, old, new string }{
		{deleteOperationID, deleteResponses409And429, deleteResponses409},
		{createOperationID, createParameters, createParametersDryRun},
		{orgIDParameter, orgIDPattern, "        pattern: \"^([a-f]{24})$\"\n"},
		{orgIDParameter, orgIDMaxLength, "        maxLength: 23\n"},
	} {
		edited := replaceWithin(t, grown, edit.scope, edit.old, edit.new)
		if edited == grown {
			t.Errorf("%q: nothing replaced", edit.old)
		}
		// The copies (the new operation, the new parameter) are untouched.
		for _, copied := range [][2]string{{"  /groups/{groupId}/liveMigrations:\n", "\ncomponents:\n"}, {"    groupId:\n", orgIDParameter}} {
			block := func(x string) string {
				from := strings.Index(x, copied[0])
				return x[from : from+strings.Index(x[from:], copied[1])]
			}
			if block(edited) != block(grown) {
				t.Errorf("%q: replaced in the copy under %q", edit.old, copied[0])
			}
		}
	}
	if got := anchorProblem(deleteResponses409And429, strings.Count(grown, deleteResponses409And429)); !strings.Contains(got, "found 2 times") ||
		!strings.Contains(got, "replaceWithin") {
		t.Errorf("the message for text found twice: %s", got)
	}
}

// becameRequired is, for each operation of the contract that takes the
// query parameter name (its own or its path item's), the parts of the line
// that says it became required.
func becameRequired(t *testing.T, name string) [][]string {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value != nil && p.Value.In == "query" && p.Value.Name == name {
					want = append(want, []string{": " + method + " " + path + ": ", "`" + name + "`", "[request-parameter-became-required]"})
					break
				}
			}
		}
	}
	if len(want) == 0 {
		t.Fatalf("no operation of the contract takes %s", name)
	}
	return want
}
