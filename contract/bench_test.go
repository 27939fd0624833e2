package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// benchExchange is a typical create: the seed's request, the live 201.
func benchExchange() (*url.URL, http.Header, []byte, http.Header, []byte) {
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens?pretty=true")
	reqH := http.Header{"Content-Type": {v2Type}, "Accept": {v2Type}, "Authorization": {digestHdr}}
	respH := http.Header{"Content-Type": {v2Type + ";charset=utf-8"}, "Ratelimit-Limit": {"500"}, "Ratelimit-Remaining": {"498"}}
	return u, reqH, []byte(`{"accessListIps":["192.0.2.10","2001:db8::/32"]}`), respH, []byte(`{"linkToken":"redactedToken"}`)
}

// BenchmarkValidateExchange compares the usual openapi3filter pattern
// (gorillamux router, FindRoute, ValidateRequest, ValidateResponse) with
// this package, on the same exchange, in the same run.
func BenchmarkValidateExchange(b *testing.B) {
	u, reqH, reqBody, respH, respBody := benchExchange()

	b.Run("naive", func(b *testing.B) {
		specformats.Register()
		doc, err := spec.GetSpec()
		if err != nil {
			b.Fatal(err)
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			b.Fatal(err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			req := &http.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: io.NopCloser(bytes.NewReader(reqBody)), ContentLength: int64(len(reqBody))}
			route, params, err := router.FindRoute(req)
			if err != nil {
				b.Fatal(err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				b.Fatal(err)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: 201, Header: respH, Body: io.NopCloser(bytes.NewReader(respBody)), Options: opts}
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("contract", func(b *testing.B) {
		v := contract.MustNew()
		b.ReportAllocs()
		for b.Loop() {
			ex := &contract.Exchange{
				Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: reqBody},
				Response: &contract.Response{StatusCode: 201, Header: respH, Body: respBody},
			}
			if err := v.ValidateExchange(ex); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("contract-strict", func(b *testing.B) {
		v := contract.MustNew(contract.Strict())
		b.ReportAllocs()
		for b.Loop() {
			ex := &contract.Exchange{
				Request:  &contract.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: reqBody},
				Response: &contract.Response{StatusCode: 201, Header: respH, Body: respBody},
			}
			if err := v.ValidateExchange(ex); err != nil {
				b.Fatal(err)
			}
		}
	})
}
