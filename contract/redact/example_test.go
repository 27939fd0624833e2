package redact_test

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
)

// A recorder keeps the redacted copy: the link-token (format: password in
// the contract) and the digest response are gone, and the copy still
// conforms, so a recording of conforming traffic checks clean.
func ExampleExchange() {
	v := contract.MustNew()
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens")
	ex := &contract.Exchange{
		Request: &contract.Request{
			Method: http.MethodPost, URL: u,
			Header: http.Header{
				"Content-Type": {"application/vnd.atlas.2023-01-01+json"},
				"Accept":       {"application/vnd.atlas.2023-01-01+json"},
				"Authorization": {`Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="` + u.Path +
					`", algorithm=MD5, response="3ea06ef3ade52fc988b83e58a0ee6ef0", qop=auth, nc=00000001, cnonce="Y25vbmNl"`},
			},
			Body: []byte(`{"accessListIps":["192.0.2.10"]}`),
		},
		Response: &contract.Response{
			StatusCode: 201,
			Header:     http.Header{"Content-Type": {"application/vnd.atlas.2023-01-01+json;charset=utf-8"}},
			Body:       []byte(`{"linkToken":"eyJvcmdJZCI6IjQ4ODg0NDJhMzM1NDgxN2E3MzIwZWI2MSJ9"}`),
		},
	}
	red := redact.Exchange(v, ex)
	fmt.Println(string(red.Response.Body))
	fmt.Println(red.Request.Header.Get("Authorization"))
	res, _ := v.Check(red)
	fmt.Println(res.OK())
	// Output:
	// {"linkToken":"REDACTED"}
	// Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="00000000000000000000000000000000", qop=auth, nc=00000001, cnonce="Y25vbmNl"
	// true
}
