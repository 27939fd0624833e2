package proxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/pathvariant"
)

// testDigest is a well-formed digest credential nobody checks; with it
// changed it is malformed in each of the ways the table below names.
const testDigest = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/x", algorithm=MD5, ` +
	`response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`

// TestEnforceLeavesNoWayRound: under --enforce nothing that breaks the
// contract reaches the upstream, however its path is written or its
// credentials malformed; a request without credentials does (for the
// challenge), and what is not in the contract only with PassUnknown.
func TestEnforceLeavesNoWayRound(t *testing.T) {
	var hits atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(upstream.Close)
	const (
		org     = "/orgs/" + testOrg
		v2      = "/api/atlas/v2"
		v1      = "/api/atlas/v1.0"
		tokens  = "/liveMigrations/linkTokens"
		bad     = `{"accessListIps":"192.0.2.10"}`
		bearer  = "Bearer dGVzdA"
		v2media = testMedia
	)
	type req struct {
		method, path, body string
		auth               []string
		passUnknown        bool
	}
	for _, tc := range []struct {
		name      string
		req       req
		forwarded bool
		status    int // when refused
		rule      string
	}{
		// Path variants of the create, with a bad body and good credentials.
		{"the contract's path", req{"POST", v2 + org + tokens, bad, []string{bearer}, false}, false, 400, "type"},
		{"a trailing slash", req{"POST", v2 + org + tokens + "/", bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"an empty segment", req{"POST", v2 + "/" + org + tokens, bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"a percent-encoded letter", req{"POST", v2 + org + "/liveMigrations/%6cinkTokens", bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"a ;parameter", req{"POST", v2 + org + tokens + ";x=1", bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"a dot segment", req{"POST", v2 + "/." + org + tokens, bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"a dot-dot segment", req{"POST", v2 + "/x/.." + org + tokens, bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"another case", req{"POST", v2 + org + "/liveMigrations/LinkTokens", bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"another case in the base", req{"POST", "/API/atlas/v2" + org + tokens, bad, []string{bearer}, false}, false, 400, pathvariant.Rule},
		{"a variant with a good body", req{"POST", v2 + org + tokens + "/", testCreateJS, []string{bearer}, false}, false, 400, pathvariant.Rule},
		// Not in the contract.
		{"another path under the base", req{"GET", v2 + org + "/other", "", []string{bearer}, false}, false, 404, ""},
		{"another path, passed", req{"GET", v2 + org + "/other", "", []string{bearer}, true}, true, 0, ""},
		{"the token endpoint", req{"POST", "/api/oauth/token", "grant_type=client_credentials", nil, false}, true, 0, ""},
		// Credentials, on a remove that is otherwise right.
		{"no credentials: the challenge", req{"DELETE", v1 + org + tokens, "", nil, false}, true, 0, ""},
		{"no credentials and a bad body", req{"POST", v2 + org + tokens, bad, nil, false}, true, 0, ""},
		{"a well-formed digest", req{"DELETE", v1 + org + tokens, "", []string{testDigest}, false}, true, 0, ""},
		{"Basic", req{"DELETE", v1 + org + tokens, "", []string{"Basic dXNlcjpwYXNz"}, false}, false, 400, "security"},
		{"Bearer on v1.0", req{"DELETE", v1 + org + tokens, "", []string{bearer}, false}, false, 400, "security"},
		{"a digest response of the wrong length", req{"DELETE", v1 + org + tokens, "",
			[]string{strings.Replace(testDigest, "0123456789abcdef0123456789abcdef", "0123", 1)}, false}, false, 400, "security"},
		{"an unknown algorithm", req{"DELETE", v1 + org + tokens, "", []string{strings.Replace(testDigest, "MD5", "FOO", 1)}, false}, false, 400, "security"},
		{"two Authorization headers", req{"DELETE", v1 + org + tokens, "", []string{testDigest, testDigest}, false}, false, 400, "security"},
		{"a bad body behind a second credential", req{"POST", v2 + org + tokens, bad, []string{bearer, bearer}, false}, false, 400, "security"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := serving(t, upstream.URL, Config{Enforce: true, PassUnknown: tc.req.passUnknown})
			r, err := http.NewRequest(tc.req.method, "http://"+addr, strings.NewReader(tc.req.body))
			if err != nil {
				t.Fatal(err)
			}
			r.URL.Opaque = "//" + addr + tc.req.path // sent byte for byte
			r.Header.Set("Accept", v2media)
			if strings.Contains(tc.req.path, v1) {
				r.Header.Set("Accept", "application/json")
			}
			if tc.req.body != "" {
				r.Header.Set("Content-Type", v2media)
			}
			for _, a := range tc.req.auth {
				r.Header.Add("Authorization", a)
			}
			before := hits.Load()
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if forwarded := hits.Load() > before; forwarded != tc.forwarded {
				t.Fatalf("forwarded %v, want %v (status %d, %q)", forwarded, tc.forwarded, resp.StatusCode, resp.Header.Values(HeaderViolation))
			}
			if tc.forwarded {
				return
			}
			if resp.StatusCode != tc.status {
				t.Errorf("refused with %d, want %d", resp.StatusCode, tc.status)
			}
			// Every refusal is the contract's ApiError, as the live service
			// sends it: its code mirrored in X-Error-Code.
			if resp.Header.Get("X-Error-Code") == "" {
				t.Errorf("a refusal without X-Error-Code: %v", resp.Header)
			}
			if got := strings.Join(resp.Header.Values(HeaderViolation), "|"); !strings.Contains(got, ": "+tc.rule) {
				t.Errorf("violations %q lack the rule %q", got, tc.rule)
			}
		})
	}
}
