package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/contract"
)

// Five lines in an importer's test put every exchange its client makes,
// the 401 digest challenge included, under the contract; any violation
// fails the test.
func ExampleTestTransport() {
	_ = func(t *testing.T, serverURL string) {
		c, err := atlas.NewClient(atlas.WithBaseURL(serverURL), atlas.WithDigest("public-key", "private-key"),
			atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { return contract.TestTransport(t, next) }))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.CreateLinkToken(context.Background(), "4888442a3354817a7320eb61", "192.0.2.10")
	}
}

// Violations are values: each names the exchange, the part, a JSON pointer,
// the rule, and what was expected versus found.
func ExampleValidator_Check() {
	v := contract.MustNew(contract.Strict())
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens")
	res, err := v.Check(&contract.Exchange{
		Request: &contract.Request{
			Method: http.MethodPost, URL: u,
			Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Basic dXNlcjpwYXNz"}},
			Body:   []byte(`{"accessListIps":["10.0.0.1/24"],"accessListIps":["192.0.2.10"]}`),
		},
		Response: &contract.Response{
			StatusCode: 201,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       []byte(`{"linkToken":["string"]}`),
		},
	})
	if err != nil {
		panic(err) // only for a request that is not an operation of the contract
	}
	fmt.Println(res.Violations)
	// Output:
	// POST /api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens → 201: request body /accessListIps: duplicate-name: expected each member name once in its object (RFC 8259 §4), found the name twice
	// POST /api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens → 201: request header /Authorization: security: expected Authorization: Digest …, found scheme "Basic"
	// POST /api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens → 201: response body /linkToken: type: expected string, found array
}

// A server validates what it receives and reports what it sends.
func ExampleMiddleware() {
	v := contract.MustNew()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"linkToken":"redactedToken"}`)
	})
	h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) { fmt.Println("reported:", res.Violations) }))(handler)

	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v1.0/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
		strings.NewReader(`{"accessListIps":"192.0.2.10"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 400 {"badRequestDetail":{"fields":[{"description":"type: expected array, found string","field":"/accessListIps"}]},"detail":"The request does not conform to the API specification.","error":400,"errorCode":"VALIDATION_ERROR","parameters":null,"reason":"Bad Request"}
}
