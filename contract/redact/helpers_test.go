package redact_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/casegen"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// The create operation's exchange these tests redact: a conforming one
// until a test changes a part of it.
const (
	v2Type    = "application/vnd.atlas.2023-01-01+json"
	createURL = "https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens?pretty=true"
	digestHdr = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
)

var createBody = []byte(`{"accessListIps":["192.0.2.10"]}`)

// createExchange is a create answered 201, with these bodies and these
// headers over the conforming ones.
func createExchange(reqBody, respBody []byte, reqHeader, respHeader http.Header) *contract.Exchange {
	rh := http.Header{"Content-Type": {v2Type}, "Accept": {v2Type}, "Authorization": {digestHdr}}
	for k, v := range reqHeader {
		rh[k] = v
	}
	sh := http.Header{"Content-Type": {v2Type + ";charset=utf-8"}, "Ratelimit-Limit": {"500"}, "Ratelimit-Remaining": {"498"}}
	for k, v := range respHeader {
		sh[k] = v
	}
	u, _ := url.Parse(createURL)
	return &contract.Exchange{
		Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: rh, Body: reqBody},
		Response: &contract.Response{StatusCode: 201, Header: sh, Body: respBody},
	}
}

// contractCases are the exchanges derived from the contract, conforming
// and broken.
func contractCases(t testing.TB) []*contract.Exchange {
	t.Helper()
	specformats.Register()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	g, err := casegen.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := g.Cases()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*contract.Exchange, 0, len(cases))
	for _, c := range cases {
		out = append(out, &contract.Exchange{
			Source:   "case",
			Request:  &contract.Request{Method: c.Request.Method, URL: c.Request.URL, Header: c.Request.Header, Body: c.Request.Body},
			Response: &contract.Response{StatusCode: c.Response.Status, Header: c.Response.Header, Body: c.Response.Body},
		})
	}
	return out
}
