package atlastest_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// The fuzz targets call Service.ServeHTTP in process: the code under test
// is the service's, and a loopback round trip would cost ten times the
// target itself. The real-connection cases (slow headers, Content-Length
// lies on the wire) are hostile_test.go's.

const (
	fzPublic  = "fzpublic"
	fzPrivate = "fz-private-key-0123456789"
	fzOrg     = "4888442a3354817a7320eb61"
	// fzMaxNonces is small so that a fuzz run soon meets the bound.
	fzMaxNonces = 8
)

// fzService is a service for fuzzing: one owner key, one organization, a
// rate limit no run can meet.
func fzService(tb testing.TB, opts ...atlastest.Option) *atlastest.Service {
	tb.Helper()
	opts = append([]atlastest.Option{
		atlastest.WithAPIKey(atlastest.APIKey{Public: fzPublic, Private: fzPrivate, OrgOwner: true}),
		atlastest.WithOrganizations(fzOrg),
		atlastest.WithRateLimit(1<<30, time.Nanosecond),
	}, opts...)
	svc, err := atlastest.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// fzServe sends one request to svc in process.
func fzServe(svc http.Handler, method, uri, auth string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, uri, bytes.NewReader(body))
	req.Method = method
	mt := atlastest.MediaTypeV2
	if strings.HasPrefix(uri, atlastest.BasePathV1) {
		mt = atlastest.MediaTypeV1
	}
	req.Header.Set("Accept", mt)
	if body != nil {
		req.Header.Set("Content-Type", mt)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	return rec
}

// fzDigestResponse is RFC 7616 §3.4.1 (qop=auth) written out here rather
// than taken from the library the service uses, so that the service is
// checked against the RFC and not against itself.
func fzDigestResponse(c *digest.Credentials, method, password string) string {
	var h func() hash.Hash
	switch strings.ToUpper(c.Algorithm) {
	case "", "MD5":
		h = md5.New
	case "SHA-256":
		h = sha256.New
	default:
		return ""
	}
	sum := func(s string) string {
		x := h()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	ha1 := sum(c.Username + ":" + c.Realm + ":" + password)
	ha2 := sum(method + ":" + c.URI)
	return sum(fmt.Sprintf("%s:%s:%08x:%s:auth:%s", ha1, c.Nonce, c.Nc, c.Cnonce, ha2))
}

// fzDigestSeeds start FuzzDigestAuthorization; ok says whether the
// service must let the request through, which TestDigestFuzzSeeds checks so
// that the target's assertions on admitted requests are known to run.
const fzGood = `Digest username="fzpublic", realm="MMS Public API", nonce="{nonce}", uri="{uri}", algorithm=MD5, response="{response}", qop=auth, nc=00000001, cnonce="Y25vbmNl"`

var fzDigestSeeds = []struct {
	v1                       bool
	method, header, password string
	ok                       bool
}{
	{false, "POST", fzGood, fzPrivate, true},
	{true, "DELETE", fzGood, fzPrivate, true},
	{false, "DELETE", strings.Replace(fzGood, "MD5", "SHA-256", 1), fzPrivate, true},
	{false, "POST", strings.Replace(fzGood, "Digest", "dIgEsT", 1), fzPrivate, true},
	{false, "POST", fzGood, "wrong", false},
	{false, "POST", fzGood, "", false},
	{false, "POST", strings.Replace(fzGood, "{uri}", "/api/atlas/v2/orgs/a0123456789abcdef012345a/liveMigrations/linkTokens", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, "MMS Public API", "Other", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, "qop=auth", "qop=auth-int", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, "nc=00000001", "nc=00000000", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, "MD5", "MD5-sess", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, "fzpublic", "other", 1), fzPrivate, false},
	{false, "POST", strings.Replace(fzGood, `nonce="{nonce}"`, `nonce="bm9uY2U="`, 1), fzPrivate, false},
	{false, "POST", fzGood + `, userhash=true`, fzPrivate, false},
	{false, "POST", fzGood + `, username="other"`, fzPrivate, false},
	{false, "PUT", fzGood, fzPrivate, true},
	{false, "POST", `Digest response="{response}"`, fzPrivate, false},
	{false, "POST", `Digest ` + strings.Repeat(`a="b", `, 50), "", false},
	{false, "POST", `Bearer {response}`, "", false},
	{false, "POST", `Basic ZnpwdWJsaWM6ZnotcHJpdmF0ZS1rZXk=`, "", false},
	{false, "POST", "Digest\tusername=fzpublic,,,realm=MMS Public API", "", false},
	{false, "POST", "", "", false},
}

// FuzzDigestAuthorization: arbitrary Authorization values against a Service.
// The fuzzer writes {nonce} for the nonce of a challenge just issued, {uri}
// for the request's URI and {response} for the digest response computed
// with the password it chose. Whatever the value: no panic; a request gets
// past authentication only with credentials for the service's key whose
// response is the RFC's for the right password, this method and this URI,
// and only once (the same header again is refused); every refusal is a 401
// with a challenge; the service never holds more nonces than its bound.
func FuzzDigestAuthorization(f *testing.F) {
	for _, s := range fzDigestSeeds {
		f.Add(s.v1, s.method, s.header, s.password)
	}
	svc := fzService(f, atlastest.WithMaxNonces(fzMaxNonces))
	f.Fuzz(func(t *testing.T, v1 bool, method, header, password string) {
		fzDigestExchange(t, svc, v1, method, header, password)
	})
}

// fzDigestExchange is one run of FuzzDigestAuthorization; it reports
// whether the request got past authentication.
func fzDigestExchange(t *testing.T, svc *atlastest.Service, v1 bool, method, header, password string) bool {
	t.Helper()
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return false // not a request line net/http would read
	}
	uri := atlastest.BasePathV2 + "/orgs/" + fzOrg + "/liveMigrations/linkTokens"
	if v1 {
		uri = atlastest.BasePathV1 + "/orgs/" + fzOrg + "/liveMigrations/linkTokens"
	}
	var body []byte
	if method == http.MethodPost {
		body = []byte(`{"accessListIps":["192.0.2.10"]}`)
	}
	first := fzServe(svc, method, uri, "", body)
	chal := fzChallenge(t, first)
	header = strings.ReplaceAll(header, "{nonce}", chal.Nonce)
	header = strings.ReplaceAll(header, "{uri}", uri)
	if strings.Contains(header, "{response}") {
		resp := ""
		if creds, err := digest.ParseCredentials(strings.ReplaceAll(header, "{response}", "0")); err == nil {
			resp = fzDigestResponse(creds, method, password)
		}
		header = strings.ReplaceAll(header, "{response}", resp)
	}

	res := fzServe(svc, method, uri, header, body)
	if n := atlastest.OutstandingNonces(svc); n > fzMaxNonces {
		t.Fatalf("%d outstanding nonces, bound %d", n, fzMaxNonces)
	}
	if res.Code == http.StatusUnauthorized {
		fzChallenge(t, res)
		return false
	}
	// Past authentication: the header must hold the key's credentials,
	// with the RFC's response for the private key.
	scheme, _, _ := strings.Cut(header, " ")
	creds, err := digest.ParseCredentials(header)
	switch {
	case !strings.EqualFold(scheme, "Digest") || err != nil:
		t.Fatalf("%s %s: %d for Authorization %q", method, uri, res.Code, header)
	case creds.Username != fzPublic || creds.Realm != atlastest.Realm || creds.URI != uri || creds.Nonce != chal.Nonce:
		t.Fatalf("%s %s: %d for credentials %+v", method, uri, res.Code, creds)
	case !strings.EqualFold(creds.Response, fzDigestResponse(creds, method, fzPrivate)) || password != fzPrivate:
		t.Fatalf("%s %s: %d without the right password (%q) in %q", method, uri, res.Code, password, header)
	}
	// The same header again is a replayed nonce count.
	if again := fzServe(svc, method, uri, header, body); again.Code != http.StatusUnauthorized {
		t.Fatalf("%s %s: replayed header answered %d", method, uri, again.Code)
	}
	return true
}

// fzChallenge checks that res is a 401 with a digest challenge and returns it.
func fzChallenge(t *testing.T, res *httptest.ResponseRecorder) *digest.Challenge {
	t.Helper()
	if res.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want the 401 challenge", res.Code)
	}
	chal, err := digest.ParseChallenge(res.Header().Get("WWW-Authenticate"))
	if err != nil {
		t.Fatalf("401 without a challenge: %v", err)
	}
	if chal.Realm != atlastest.Realm || chal.Nonce == "" {
		t.Fatalf("challenge %+v", chal)
	}
	return chal
}

// TestDigestFuzzSeeds: each seed of FuzzDigestAuthorization is let through,
// or refused, as the RFC says it must be.
func TestDigestFuzzSeeds(t *testing.T) {
	svc := fzService(t, atlastest.WithMaxNonces(fzMaxNonces))
	for _, s := range fzDigestSeeds {
		if got := fzDigestExchange(t, svc, s.v1, s.method, s.header, s.password); got != s.ok {
			t.Errorf("%s (v1 %v) with %q, password %q: admitted %v, want %v", s.method, s.v1, s.header, s.password, got, s.ok)
		}
	}
}
