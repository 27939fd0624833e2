package main

import (
	"regexp"
	"strings"
	"testing"
)

// Parts of the real contract that the edits below change, each occurring once.
const (
	v2MediaTypes = "    x-atlas-media-types:\n" +
		"      requests: [\"application/vnd.atlas.{version}+json\", application/json]\n" +
		"      responses: [\"application/vnd.atlas.{version}+json\"]\n"
	v1MediaTypes = "    x-atlas-media-types:\n" +
		"      requests: [application/json]\n" +
		"      responses: [application/json]\n"
	v1Server           = "  - url: https://cloud.mongodb.com/api/atlas/v1.0\n"
	envelopeAssumed    = "      x-atlas-assumed: [envelope-status-line, envelope-challenge]\n"
	digestScheme       = "    DigestAuth:\n      type: http\n"
	orgIDParameterHead = "    orgId:\n      name: orgId\n"
	v2                 = "https://cloud.mongodb.com/api/atlas/v2"
	v1                 = "https://cloud.mongodb.com/api/atlas/v1.0"
)

// bearerServers is the ServiceAccounts scheme's x-atlas-servers as the
// contract writes it: a flow or a block list, its URL quoted or not (tools
// such as Dredd want URLs in flow lists quoted).
func bearerServers(t *testing.T, s string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^      x-atlas-servers:(?: \[[^\n]*\]\n|\n(?:        - [^\n]*\n)+)`)
	found := re.FindAllString(s, -1)
	if len(found) != 1 || !strings.Contains(found[0], v2) {
		t.Fatalf("want one x-atlas-servers listing %s, found %q: the contract changed shape; update the test", v2, found)
	}
	return found[0]
}

// TestExtensionChanges applies one edit at a time to a copy of the contract
// and asserts how each x-atlas-* extension's change is judged: what narrows
// what the check or the server accepts breaks, what widens does not, and a
// change no rule can judge breaks until accepted.
func TestExtensionChanges(t *testing.T) {
	t.Parallel()
	contract := readContract(t)
	type change struct {
		what, rule string
		breaking   bool
	}
	tests := []struct {
		name string
		// editBase, when set, makes the base; edit makes the revision from the contract.
		editBase, edit func(*testing.T, string) string
		want           []change
	}{
		{name: "unchanged", edit: func(_ *testing.T, s string) string { return s }},
		{
			name: "servers reordered",
			edit: func(t *testing.T, s string) string {
				v2Entry := s[strings.Index(s, "  - url: "+v2+"\n"):strings.Index(s, v1Server)]
				rest := s[strings.Index(s, v1Server):strings.Index(s, "tags:\n")]
				return replaceOnce(t, s, v2Entry+rest, rest+v2Entry)
			},
		},
		{
			name: "media types: v2 no longer lists application/json for requests",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v2MediaTypes, strings.Replace(v2MediaTypes, `, application/json]`, `]`, 1))
			},
			want: []change{{"servers[" + v2 + "].x-atlas-media-types", "x-atlas-media-types-request-removed", true}},
		},
		{
			name: "media types: v1.0 accepts a new request type",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v1MediaTypes, strings.Replace(v1MediaTypes, "requests: [application/json]", "requests: [application/json, application/x-ndjson]", 1))
			},
			want: []change{{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-request-added", false}},
		},
		{
			name: "media types: the v2 request template replaced by the one version it had",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v2MediaTypes, strings.Replace(v2MediaTypes, `requests: ["application/vnd.atlas.{version}+json"`, `requests: ["application/vnd.atlas.2023-01-01+json"`, 1))
			},
			// The literal was within the template: nothing new.
			want: []change{{"servers[" + v2 + "].x-atlas-media-types", "x-atlas-media-types-request-removed", true}},
		},
		{
			name: "media types: the one version v2 had replaced by the template",
			editBase: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v2MediaTypes, strings.Replace(v2MediaTypes, `requests: ["application/vnd.atlas.{version}+json"`, `requests: ["application/vnd.atlas.2023-01-01+json"`, 1))
			},
			edit: func(_ *testing.T, s string) string { return s },
			want: []change{{"servers[" + v2 + "].x-atlas-media-types", "x-atlas-media-types-request-added", false}},
		},
		{
			name: "media types: v1.0 sends a new response type",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v1MediaTypes, strings.Replace(v1MediaTypes, "responses: [application/json]", "responses: [application/json, application/problem+json]", 1))
			},
			want: []change{{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-response-added", true}},
		},
		{
			name: "media types: v2 no longer sends the versioned type",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v2MediaTypes, strings.Replace(v2MediaTypes, `responses: ["application/vnd.atlas.{version}+json"]`, `responses: [application/json]`, 1))
			},
			want: []change{
				{"servers[" + v2 + "].x-atlas-media-types", "x-atlas-media-types-response-removed", true},
				{"servers[" + v2 + "].x-atlas-media-types", "x-atlas-media-types-response-added", true},
			},
		},
		{
			name: "media types: removed from v1.0",
			edit: func(t *testing.T, s string) string { return replaceOnce(t, s, v1MediaTypes, "") },
			want: []change{
				{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-requests-unrestricted", false},
				{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-responses-unrestricted", true},
			},
		},
		{
			name:     "media types: a server without them gets them",
			editBase: func(t *testing.T, s string) string { return replaceOnce(t, s, v1MediaTypes, "") },
			edit:     func(_ *testing.T, s string) string { return s },
			want: []change{
				{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-requests-restricted", true},
				{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-media-types-responses-restricted", true},
			},
		},
		{
			name: "media types: an unknown key cannot be judged",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, v1MediaTypes, v1MediaTypes+"      errors: [application/json]\n")
			},
			want: []change{{"servers[" + v1 + "].x-atlas-media-types", "x-atlas-unjudged", true}},
		},
		{
			name: "a server removed",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, s[strings.Index(s, v1Server):strings.Index(s, "tags:\n")], "")
			},
			want: []change{{"servers[" + v1 + "]", "server-removed", true}},
		},
		{
			name: "servers of a scheme: bearer no longer accepted on v2",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, bearerServers(t, s), "      x-atlas-servers: []\n")
			},
			want: []change{{"components.securitySchemes.ServiceAccounts.x-atlas-servers", "x-atlas-servers-narrowed", true}},
		},
		{
			name: "servers of a scheme: bearer accepted on v1.0 too",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, bearerServers(t, s), "      x-atlas-servers: ["+v2+", "+v1+"/]\n")
			},
			want: []change{{"components.securitySchemes.ServiceAccounts.x-atlas-servers", "x-atlas-servers-widened", false}},
		},
		{
			name: "servers of a scheme: the list removed, so every server accepts it",
			edit: func(t *testing.T, s string) string { return replaceOnce(t, s, bearerServers(t, s), "") },
			want: []change{{"components.securitySchemes.ServiceAccounts.x-atlas-servers", "x-atlas-servers-widened", false}},
		},
		{
			name: "servers of a scheme: digest limited to v1.0",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, digestScheme, digestScheme+"      x-atlas-servers: ["+v1+"]\n")
			},
			want: []change{{"components.securitySchemes.DigestAuth.x-atlas-servers", "x-atlas-servers-narrowed", true}},
		},
		{
			name: "assumptions changed: conform probes, the check does not read",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, envelopeAssumed, "      x-atlas-assumed: [envelope-status-line]\n")
			},
			want: []change{{"components.parameters.envelope.x-atlas-assumed", "x-atlas-assumed-changed", false}},
		},
		{
			name: "an extension no rule knows, added",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, orgIDParameterHead, orgIDParameterHead+"      x-atlas-case-insensitive: true\n")
			},
			want: []change{{"components.parameters.orgId.x-atlas-case-insensitive", "x-atlas-unjudged", true}},
		},
		{
			name: "a known extension where no reader looks",
			edit: func(t *testing.T, s string) string {
				return replaceOnce(t, s, orgIDParameterHead, orgIDParameterHead+"      x-atlas-servers: ["+v1+"]\n")
			},
			want: []change{{"components.parameters.orgId.x-atlas-servers", "x-atlas-unjudged", true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseContract := contract
			if tt.editBase != nil {
				baseContract = tt.editBase(t, contract)
			}
			base, err := readDocument([]byte(baseContract), "base")
			if err != nil {
				t.Fatal(err)
			}
			rev, err := readDocument([]byte(tt.edit(t, contract)), "rev")
			if err != nil {
				t.Fatal(err)
			}
			changes := extensionChanges(base, rev)
			var lines []string
			for _, c := range changes {
				lines = append(lines, c.line())
			}
			if len(changes) != len(tt.want) {
				t.Fatalf("got %d changes, want %d:\n%s", len(changes), len(tt.want), strings.Join(lines, "\n"))
			}
			for i, w := range tt.want {
				c := changes[i]
				if c.what != w.what || c.rule != w.rule || c.breaking != w.breaking {
					t.Errorf("change %d: got %s (breaking %v), want %s [%s] (breaking %v)", i, lines[i], c.breaking, w.what, w.rule, w.breaking)
				}
				if wantLevel := map[bool]string{true: "error", false: "info"}[w.breaking]; c.level != wantLevel || !strings.HasPrefix(c.where, "rev:") && !strings.HasPrefix(c.where, "base:") {
					t.Errorf("change %d: %s: want level %s and a file:line", i, lines[i], wantLevel)
				}
			}
		})
	}
}
