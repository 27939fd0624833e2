package redact_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
)

// redactSecret stands for a link-token in these tests: what must never
// survive Redact.
const redactSecret = "bGlua1Rva2VuU2VjcmV0LXZhbHVlLTk4NzY1NDMyMQ=="

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRedactKeepsAConformingExchangeConforming: every secret goes, the
// rest of the body stays byte for byte, and the redacted exchange checks as
// the original did.
func TestRedactKeepsAConformingExchangeConforming(t *testing.T) {
	v := contract.MustNew()
	enveloped := createExchange(nil, nil, nil, nil)
	enveloped.Request.URL, _ = url.Parse(enveloped.Request.URL.String() + "&envelope=true")
	tests := []struct {
		name     string
		ex       *contract.Exchange
		wantBody string // the redacted response body; "" to skip
	}{
		{"plain 201", createExchange(createBody, []byte(`{"linkToken":"`+redactSecret+`"}`), nil, nil),
			`{"linkToken":"REDACTED"}`},
		{"pretty 201", createExchange(createBody, []byte("{\n  \"linkToken\" : \""+redactSecret+"\"\n}\n"), nil, nil),
			"{\n  \"linkToken\" : \"REDACTED\"\n}\n"},
		{"escaped secret", createExchange(createBody, []byte(`{"linkToken":"a\"b\u0041`+redactSecret+`"}`), nil, nil),
			`{"linkToken":"REDACTED"}`},
		{"gzip", createExchange(createBody, gzipped(t, `{"linkToken":"`+redactSecret+`"}`), nil, http.Header{"Content-Encoding": {"gzip"}}),
			`{"linkToken":"REDACTED"}`},
		{"enveloped", func() *contract.Exchange {
			ex := createExchange(createBody, []byte(`{"status":201,"content":{"linkToken":"`+redactSecret+`"}}`), nil, nil)
			ex.Request.URL = enveloped.Request.URL
			ex.Response.StatusCode = http.StatusOK
			return ex
		}(), `{"status":201,"content":{"linkToken":"REDACTED"}}`},
		{"error body kept whole", createExchange(createBody, []byte(`{"detail":"No token.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":null,"reason":"Not Found"}`), nil,
			http.Header{"Content-Type": {"application/json"}}), ""},
	}
	tests[len(tests)-1].ex.Response.StatusCode = http.StatusNotFound
	tests[len(tests)-1].wantBody = string(tests[len(tests)-1].ex.Response.Body)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig, err := v.Check(tt.ex)
			if err != nil {
				t.Fatal(err)
			}
			if !orig.OK() {
				t.Fatalf("the fixture does not conform: %v", orig.Violations)
			}
			before := string(tt.ex.Response.Body)
			red := redact.Exchange(v, tt.ex)
			if got := string(red.Response.Body); tt.wantBody != "" && got != tt.wantBody {
				t.Errorf("redacted body %q, want %q", got, tt.wantBody)
			}
			if strings.Contains(string(red.Response.Body), redactSecret) {
				t.Error("the secret survived")
			}
			if string(tt.ex.Response.Body) != before || tt.ex.Request.Header.Get("Authorization") != digestHdr {
				t.Error("Redact changed its input")
			}
			res, err := v.Check(red)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || len(res.Notices) != len(orig.Notices) {
				t.Errorf("redacted exchange: violations %v, notices %v", res.Violations, res.Notices)
			}
		})
	}
}

// TestRedactCredentials: each credential keeps its scheme and form, so a
// well-formed one stays well-formed, and loses what proves the secret.
func TestRedactCredentials(t *testing.T) {
	v := contract.MustNew()
	const sha256Resp = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	sha256 := strings.Replace(strings.Replace(digestHdr, "0123456789abcdef0123456789abcdef", sha256Resp, 1), "MD5", "SHA-256", 1)
	tests := []struct {
		name, header, value, want string
		secret                    string
		conforms                  bool // the redacted request still has well-formed credentials
	}{
		{"digest MD5", "Authorization", digestHdr, strings.Replace(digestHdr, "0123456789abcdef0123456789abcdef", strings.Repeat("0", 32), 1), "0123456789abcdef", true},
		{"digest SHA-256", "Authorization", sha256, strings.Replace(sha256, sha256Resp, strings.Repeat("0", 64), 1), sha256Resp, true},
		{"digest, unquoted response first", "Authorization", `Digest response=0123456789abcdef0123456789abcdef, username="pub"`, `Digest response=00000000000000000000000000000000, username="pub"`, "0123456789abcdef", false},
		{"digest, a parameter quoting response=", "Authorization", `Digest username="response=x", response="0123456789abcdef0123456789abcdef"`, `Digest username="response=x", response="00000000000000000000000000000000"`, "0123456789abcdef", false},
		{"digest naming response twice", "Authorization", `Digest response="fedcba9876543210fedcba9876543210", username="pub", response="0123456789abcdef0123456789abcdef"`, `Digest response="00000000000000000000000000000000", username="pub", response="00000000000000000000000000000000"`, "fedcba9876543210", false},
		{"digest that does not parse", "Authorization", `Digest username="unterminated, response="0123456789abcdef`, "Digest REDACTED", "0123456789abcdef", false},
		{"digest with a response that is not hex", "Authorization", `Digest response="g123456789abcdef0123456789abcdeg"`, `Digest response="x000000000000000000000000000000x"`, "123456789abcdef", false},
		{"bearer", "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlcg.sig", "Bearer REDACTED", "c2VjcmV0LWJlYXJlcg", false},
		// Malformed stays malformed, so the check says what it said.
		{"bearer, malformed", "Authorization", "Bearer !c2VjcmV0LWJlYXJlcg!", "Bearer [REDACTED]", "c2VjcmV0LWJlYXJlcg", false},
		{"a bare key, no scheme", "Authorization", "c2VjcmV0LWtleS12YWx1ZQ", "REDACTED", "c2VjcmV0LWtleS12YWx1ZQ", false},
		{"basic", "Authorization", "Basic cHViOnByaXZhdGUta2V5LXZhbHVl", "Basic UkVEQUNURUQ6UkVEQUNURUQ=", "cHViOnByaXZhdGUta2V5LXZhbHVl", false},
		{"proxy credentials", "Proxy-Authorization", "Basic cHViOnByaXZhdGUta2V5LXZhbHVl", "Basic UkVEQUNURUQ6UkVEQUNURUQ=", "cHViOnByaXZhdGUta2V5LXZhbHVl", true},
		{"cookie", "Cookie", "session=c2Vzc2lvbi1zZWNyZXQ; theme=dark", "session=REDACTED; theme=REDACTED", "c2Vzc2lvbi1zZWNyZXQ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(`{"linkToken":"t"}`), http.Header{tt.header: {tt.value}}, nil)
			red := redact.Exchange(v, ex)
			got := red.Request.Header.Get(tt.header)
			if got != tt.want {
				t.Errorf("%s: %q, want %q", tt.header, got, tt.want)
			}
			if strings.Contains(got, tt.secret) {
				t.Errorf("the secret survived in %q", got)
			}
			if tt.conforms {
				if res, _ := v.Check(red); !res.OK() {
					t.Errorf("redacted credentials do not conform: %v", res.Violations)
				}
			}
		})
	}
	resp := createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, http.Header{
		"Set-Cookie":          {"session=c2Vzc2lvbi1zZWNyZXQ; Path=/; HttpOnly"},
		"Authentication-Info": {`rspauth="0123456789abcdef0123456789abcdef", cnonce="Y25vbmNl", nc=00000001, qop=auth`},
	})
	red := redact.Exchange(v, resp).Response.Header
	if got := red.Get("Set-Cookie"); got != "session=REDACTED; Path=/; HttpOnly" {
		t.Errorf("Set-Cookie %q", got)
	}
	if got := red.Get("Authentication-Info"); got != `rspauth="00000000000000000000000000000000", cnonce="Y25vbmNl", nc=00000001, qop=auth` {
		t.Errorf("Authentication-Info %q", got)
	}
}

// TestRedactNonConformingBodies: a body that breaks the contract loses its
// secrets as well, and breaks it the same way afterwards.
func TestRedactNonConformingBodies(t *testing.T) {
	v := contract.MustNew()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"linkToken as an array", 201, `{"linkToken":["` + redactSecret + `","` + redactSecret + `"]}`, `{"linkToken":["REDACTED","REDACTED"]}`},
		{"linkToken twice", 201, `{"linkToken":"` + redactSecret + `","linkToken":"` + redactSecret + `"}`, `{"linkToken":"REDACTED","linkToken":"REDACTED"}`},
		{"cut short", 201, `{"linkToken":"` + redactSecret, `{"linkToken"<46 bytes redacted: no schema places them>`},
		{"data after the value", 201, `{"linkToken":"x"} "` + redactSecret + `"`, `{"linkToken":"REDACTED"}<47 bytes redacted: no schema places them>`},
		{"an undeclared status", 299, `{"linkToken":"` + redactSecret + `"}`, `{"linkToken":"REDACTED"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := createExchange(createBody, []byte(tt.body), nil, nil)
			ex.Response.StatusCode = tt.status
			orig, err := v.Check(ex)
			if err != nil {
				t.Fatal(err)
			}
			red := redact.Exchange(v, ex)
			got := string(red.Response.Body)
			if strings.Contains(got, redactSecret) || strings.Contains(got, redactSecret[:16]) {
				t.Fatalf("the secret survived: %q", got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("redacted %q, want %q", got, tt.want)
			}
			res, _ := v.Check(red)
			if strings.Join(res.Violations.Rules(), ",") != strings.Join(orig.Violations.Rules(), ",") {
				t.Errorf("redacted: %v; original: %v", res.Violations.Rules(), orig.Violations.Rules())
			}
		})
	}
	// A body that does not decode from its Content-Encoding is replaced.
	ex := createExchange(createBody, []byte(`{"linkToken":"`+redactSecret+`"}`), nil, http.Header{"Content-Encoding": {"gzip"}})
	if got := string(redact.Exchange(v, ex).Response.Body); strings.Contains(got, redactSecret) {
		t.Errorf("an undecodable body survived: %q", got)
	}
}

// TestRedactTakesSecretsFromTheDocument: a property is a secret because
// the contract marks it so (format: password), not because of its name;
// an apiKey scheme's header is a credential because the document says so.
func TestRedactTakesSecretsFromTheDocument(t *testing.T) {
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	secret := openapi3.NewStringSchema()
	secret.Format = "password"
	secret.MinLength = 12
	doc.Components.Schemas["TargetOrg"].Value.Properties["carrot"] = secret.NewRef()
	doc.Components.Schemas["TargetOrg"].Value.Properties["tokenHint"] = openapi3.NewStringSchema().NewRef()
	doc.Components.Schemas["ApiError"].Value.Properties["carrot"] = secret.NewRef()
	doc.Components.SecuritySchemes["Key"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").WithName("X-Api-Key")}
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	ex := createExchange(createBody, []byte(`{"linkToken":"`+redactSecret+`","carrot":"orange-secret-value","tokenHint":"visible"}`),
		http.Header{"X-Api-Key": {"api-key-secret-value"}}, nil)
	red := redact.Exchange(v, ex)
	if got, want := string(red.Response.Body), `{"linkToken":"REDACTED","carrot":"REDACTED----","tokenHint":"visible"}`; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if got := red.Request.Header.Get("X-Api-Key"); got != redact.Redacted {
		t.Errorf("X-Api-Key %q", got)
	}
	// A remove's enveloped 200 declares only the envelope, whose content
	// may be any of the remove's responses: the secret the document puts
	// in an error body is one there too.
	ex = createExchange(nil, []byte(`{"status":404,"content":{"error":404,"errorCode":"X","carrot":"orange-secret-value"}}`), nil, nil)
	ex.Request.Method, ex.Request.URL.RawQuery, ex.Response.StatusCode = http.MethodDelete, "envelope=true", 200
	if got, want := string(redact.Exchange(v, ex).Response.Body), `{"status":404,"content":{"error":404,"errorCode":"X","carrot":"REDACTED----"}}`; got != want {
		t.Errorf("enveloped body %q, want %q", got, want)
	}
}

// TestRedactDropsBodiesNoSchemaPlaces: outside the contract nothing says
// where a secret would be, so no body is kept; credentials go as anywhere.
func TestRedactDropsBodiesNoSchemaPlaces(t *testing.T) {
	u, _ := url.Parse("https://cloud.mongodb.com/api/oauth/token")
	ex := &contract.Exchange{
		Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Authorization": {"Basic Y2xpZW50OnNlY3JldA=="}}, Body: []byte("grant_type=client_credentials&client_secret=s3cr3t")},
		Response: &contract.Response{StatusCode: 200, Header: http.Header{}, Body: []byte(`{"access_token":"s3cr3t-token"}`)},
	}
	red := redact.Exchange(contract.MustNew(), ex)
	if red.Request.Body != nil || red.Response.Body != nil {
		t.Errorf("bodies kept: %q, %q", red.Request.Body, red.Response.Body)
	}
	if got := red.Request.Header.Get("Authorization"); got != "Basic UkVEQUNURUQ6UkVEQUNURUQ=" {
		t.Errorf("Authorization %q", got)
	}
}

// digestResponse finds a digest response's value (one of eight hex digits
// or more) in a credential.
var digestResponse = regexp.MustCompile(`response="?([0-9a-fA-F]{8,})`)

// FuzzRedact: whatever the credential and the body, Redact does not
// fail, a link-token that stands once in a body that parses does not
// survive, a digest response found only where response= names it does
// not either (however many times it is named), and the
// redacted exchange breaks the contract by the same rules as the original
// (a body that is not UTF-8: still breaks it).
func FuzzRedact(f *testing.F) {
	f.Add(digestHdr, []byte(`{"linkToken":"`+redactSecret+`"}`))
	f.Add(`Digest username="a", response=0123456789abcdef0123456789abcdef, realm="r", nonce="n", uri="/"`, []byte(`{"linkToken":["x","y"]}`))
	f.Add(`Bearer abc.def`, []byte(`{"status":201,"content":{"linkToken":"`+redactSecret+`"}}`))
	f.Add(`Digest response="fedcba9876543210", username="a", response="0123456789abcdef"`, []byte(`{"linkToken":"x"}`))
	f.Add(`Digest response="unterminated`, []byte(`{"linkToken":"`+redactSecret))
	f.Add(``, []byte(`{"linkToken":"a\"b"} "tail"`))
	v := contract.MustNew()
	f.Fuzz(func(t *testing.T, auth string, body []byte) {
		ex := createExchange(createBody, body, http.Header{"Authorization": {auth}}, nil)
		red := redact.Exchange(v, ex)
		var doc struct {
			LinkToken string `json:"linkToken"`
		}
		if json.Unmarshal(body, &doc) == nil && len(doc.LinkToken) >= 8 && bytes.Count(body, []byte(doc.LinkToken)) == 1 &&
			bytes.Contains(red.Response.Body, []byte(doc.LinkToken)) {
			t.Errorf("the link-token survived: %q", red.Response.Body)
		}
		responses := map[string]int{}
		for _, m := range digestResponse.FindAllStringSubmatch(auth, -1) {
			responses[m[1]]++
		}
		for resp, n := range responses {
			if strings.Count(auth, resp) == n && strings.Contains(red.Request.Header.Get("Authorization"), resp) {
				t.Errorf("the digest response survived: %q", red.Request.Header.Get("Authorization"))
			}
		}
		before, err := v.Check(ex)
		if err != nil {
			t.Fatal(err)
		}
		after, err := v.Check(red)
		if err != nil {
			t.Fatal(err)
		}
		if b, a := strings.Join(before.Violations.Rules(), ","), strings.Join(after.Violations.Rules(), ","); a != b {
			t.Errorf("rules before %s, after %s", b, a)
		}
	})
}
