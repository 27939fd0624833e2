package recorded_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/internal/pathvariant"
)

// TestCheckJudgesPathVariantsAsTheProxyDoes: a request whose path is not
// the contract's but normalises to it (which linktoken proxy judges as the
// contract's path, a path-variant violation, and records as sent) is judged
// so in a recording too, in a HAR archive and in a raw HTTP file; before,
// it was skipped as not in the contract, and the archive checked greener
// than the traffic had.
func TestCheckJudgesPathVariantsAsTheProxyDoes(t *testing.T) {
	const base = "/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/"
	const body = `{"accessListIps":["192.0.2.10"]}`
	har := func(path string) string {
		return `{"log":{"entries":[{"request":{"method":"POST","url":"https://cloud.mongodb.com` + path + `","headers":[` +
			`{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"},` +
			`{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},` +
			`{"name":"Authorization","value":"Bearer abc.def"}],` +
			`"postData":{"mimeType":"application/vnd.atlas.2023-01-01+json","text":` + strconv.Quote(body) + `}},` +
			`"response":{"status":201,"headers":[{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json;charset=utf-8"}],` +
			`"content":{"mimeType":"application/vnd.atlas.2023-01-01+json;charset=utf-8","text":"{\"linkToken\":\"redactedToken\"}"}}}]}}`
	}
	raw := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: cloud.mongodb.com\r\nAccept: application/vnd.atlas.2023-01-01+json\r\n" +
			"Authorization: Bearer abc.def\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body +
			"HTTP/1.1 201 Created\r\nContent-Type: application/vnd.atlas.2023-01-01+json;charset=utf-8\r\n\r\n" + `{"linkToken":"redactedToken"}`
	}
	for _, tc := range []struct {
		name, file, content string
		variant             bool
	}{
		{"the contract's path, HAR", "x.har", har(base + "linkTokens"), false},
		{"a trailing slash, HAR", "x.har", har(base + "linkTokens/"), true},
		{"another case, HAR", "x.har", har(base + "LINKTOKENS"), true},
		{"a percent-encoded letter, HAR", "x.har", har(base + "%6cinkTokens"), true},
		{"the contract's path, raw HTTP", "x.http", raw(base + "linkTokens"), false},
		{"a trailing slash, raw HTTP", "x.http", raw(base + "linkTokens/"), true},
		{"an empty segment, raw HTTP", "x.http", raw(strings.Replace(base, "/orgs", "//orgs", 1) + "linkTokens"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rep, err := checkContent(t, tc.file, tc.content)
			if err != nil {
				t.Fatal(err)
			}
			want := recorded.Report{Exchanges: 1, Conform: 1}
			if tc.variant {
				want = recorded.Report{Exchanges: 1, Count: 1}
			}
			if rep.Exchanges != want.Exchanges || rep.Conform != want.Conform || rep.Count != want.Count || rep.Skipped != 0 {
				t.Fatalf("report %s: %v; want %s", rep.Summary(), rep.Violations, want.Summary())
			}
			if tc.variant && (rep.Violations[0].Rule != pathvariant.Rule || !strings.Contains(rep.Violations[0].Expected, "/api/atlas/v2/orgs/{orgId}/liveMigrations/linkTokens")) {
				t.Errorf("violation %v; want %s naming the contract's path", rep.Violations[0], pathvariant.Rule)
			}
		})
	}
}
