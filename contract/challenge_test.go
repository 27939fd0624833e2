package contract_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestEveryChallengeOfAHeaderIsRead: one WWW-Authenticate value may hold
// several challenges (RFC 9110 §11.6.1); each is read, and the Digest
// one judged, wherever it stands.
func TestEveryChallengeOfAHeaderIsRead(t *testing.T) {
	const digestOK = `Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`
	for _, tc := range []struct {
		name, base string
		values     []string
		challenge  bool // a challenge violation is wanted
	}{
		{"v1.0: Bearer then Digest in one value", "/api/atlas/v1.0", []string{`Bearer realm="x", ` + digestOK}, false},
		{"v1.0: Bearer then Digest, spaces round =", "/api/atlas/v1.0", []string{`Bearer realm = "x" , ` + digestOK}, false},
		{"v1.0: a bare token68 scheme, then Digest", "/api/atlas/v1.0", []string{`Negotiate abc==, ` + digestOK}, false},
		{"v1.0: Bearer alone", "/api/atlas/v1.0", []string{`Bearer realm="x", error="invalid_token"`}, true},
		{"v1.0: a quoted comma and scheme-like text", "/api/atlas/v1.0", []string{`Bearer realm="a, Digest realm=b, nonce=c"`}, true},
		{"v2: Bearer then a Digest without nonce", "/api/atlas/v2", []string{`Bearer realm="x", Digest realm="MMS Public API", algorithm=MD5`}, true},
		{"v2: a Digest without nonce in a second value", "/api/atlas/v2", []string{`Bearer realm="x"`, `Digest realm="MMS Public API"`}, true},
		{"v2: Digest first, then Bearer", "/api/atlas/v2", []string{digestOK + `, Bearer realm="x"`}, false},
		{"v2: a Digest of an unknown algorithm alone", "/api/atlas/v2", []string{`Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=UNKNOWN, qop="auth"`}, true},
		{"v2: a Digest offering only an unknown qop", "/api/atlas/v2", []string{`Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth-conf"`}, true},
		{"v2: an unknown algorithm beside an answerable Digest", "/api/atlas/v2", []string{`Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=UNKNOWN, ` + digestOK}, false},
		{"v2: a -sess algorithm, lower case", "/api/atlas/v2", []string{`Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=sha-256-sess, qop="auth,auth-int"`}, false},
		{"v2: neither algorithm nor qop (RFC 2069)", "/api/atlas/v2", []string{`Digest realm="MMS Public API", nonce="bm9uY2U="`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"error":401,"errorCode":null,"parameters":null,"reason":"Unauthorized"}`), nil, nil)
			ex.Request.URL = &url.URL{Scheme: "https", Host: "cloud.mongodb.com", Path: tc.base + "/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"}
			if tc.base == "/api/atlas/v1.0" {
				ex.Request.Header.Set("Content-Type", "application/json")
				ex.Request.Header.Set("Accept", "application/json")
			}
			ex.Response.StatusCode = http.StatusUnauthorized
			ex.Response.Header = http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": tc.values}
			res, err := contract.MustNew().Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(res.Violations.Rules(), contract.RuleChallenge); got != tc.challenge {
				t.Fatalf("challenge violation %v, want %v: %v", got, tc.challenge, res.Violations)
			}
		})
	}
}
