package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// TestKinOpenAPIAcceptsEveryConformingFixture cross-checks this package
// against the usual openapi3filter pattern: what we pass, kin-openapi's
// own (more lenient) filter passes too, except the fixtures below, each of
// a project rule that lets through what plain openapi3filter refuses
// (projectRules in differential_test.go says why).
func TestKinOpenAPIAcceptsEveryConformingFixture(t *testing.T) {
	laxer := map[string]string{"404_v2_envelope-own-status-line.http": "envelope-status-line"}
	for _, rule := range laxer {
		if r, ok := projectRules[rule]; !ok || !r.plainRefuses || r.oursRefuses {
			t.Fatalf("%s is not a project rule laxer than openapi3filter", rule)
		}
	}
	specformats.Register()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	files, _ := filepath.Glob("testdata/conforming/*/*.http")
	seed, _ := filepath.Glob("testdata/seed/*.http")
	for _, f := range append(files, seed...) {
		if _, ok := laxer[filepath.Base(f)]; ok {
			continue
		}
		for _, ex := range readFixture(t, f) {
			u := *ex.Request.URL
			u.Scheme, u.Host = "https", "cloud.mongodb.com"
			req := &http.Request{Method: ex.Request.Method, URL: &u, Host: u.Host, Header: ex.Request.Header.Clone(),
				Body: io.NopCloser(bytes.NewReader(ex.Request.Body)), ContentLength: int64(len(ex.Request.Body))}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Errorf("%s: FindRoute: %v", f, err)
				continue
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("%s: ValidateRequest: %v", f, firstLine(err))
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: ex.Response.StatusCode,
				Header: ex.Response.Header, Body: io.NopCloser(bytes.NewReader(ex.Response.Body)), Options: opts}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("%s: ValidateResponse: %v", f, firstLine(err))
			}
		}
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
