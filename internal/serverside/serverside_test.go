package serverside_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

const (
	v2Type  = "application/vnd.atlas.2023-01-01+json"
	orgPath = "/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"
)

func TestNegotiate(t *testing.T) {
	v := contract.MustNew()
	v2, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2" + orgPath)
	v1, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v1.0" + orgPath)
	tests := []struct {
		name   string
		u      *url.URL
		accept []string
		want   string // "" for ErrNotAcceptable
	}{
		{"v2, its version", v2, []string{v2Type}, v2Type},
		{"v2, a later date (MongoDB's samples)", v2, []string{"application/vnd.atlas.2025-03-12+json"}, v2Type},
		{"v2, a date before the resource", v2, []string{"application/vnd.atlas.2022-01-01+json"}, ""},
		{"v2, no Accept", v2, nil, v2Type},
		{"v2, a wildcard", v2, []string{"*/*"}, v2Type},
		{"v2, plain JSON", v2, []string{"application/json"}, v2Type},
		{"v2, HTML only", v2, []string{"text/html"}, ""},
		{"v2, two dates, the later wins", v2, []string{"application/vnd.atlas.2022-01-01+json, application/vnd.atlas.2024-01-01+json"}, v2Type},
		{"v1.0, JSON", v1, []string{"application/json"}, "application/json"},
		{"v1.0, no Accept", v1, nil, "application/json"},
		{"v1.0, application/*", v1, []string{"application/*"}, "application/json"},
		{"v1.0, HTML only", v1, []string{"text/html"}, ""},
		{"v1.0, JSON refused with q=0", v1, []string{"application/json;q=0"}, ""},
		{"v1.0, JSON refused with q=0.0", v1, []string{"application/json;q=0.0"}, ""},
		{"v1.0, JSON refused with q=0.000", v1, []string{"application/json; q=0.000"}, ""},
		{"v2, JSON refused with q=0.00", v2, []string{"application/json;q=0.00"}, ""},
		{"v2, an old date beside a wildcard", v2, []string{"application/vnd.atlas.2022-01-01+json, */*"}, v2Type},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := v.Match("POST", tt.u)
			if err != nil {
				t.Fatal(err)
			}
			got, err := serverside.Negotiate(m, tt.accept)
			if tt.want == "" {
				if !errors.Is(err, serverside.ErrNotAcceptable) {
					t.Fatalf("got %q, %v; want ErrNotAcceptable", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	m, _ := v.Match("POST", v2)
	if got := serverside.AuthSchemes(m); len(got) != 2 || got[0] != "bearer" || got[1] != "digest" {
		t.Errorf("v2 schemes %v", got)
	}
	m, _ = v.Match("DELETE", v1)
	if got := serverside.AuthSchemes(m); len(got) != 1 || got[0] != "digest" {
		t.Errorf("v1.0 schemes %v", got)
	}
}

func TestServerAuthSchemes(t *testing.T) {
	v := contract.MustNew()
	for base, want := range map[string][]string{
		"/api/atlas/v2":   {"bearer", "digest"},
		"/api/atlas/v1.0": {"digest"},
		"/api/atlas/v3":   nil,
	} {
		if got := serverside.ServerAuthSchemes(v, base); !slices.Equal(got, want) {
			t.Errorf("ServerAuthSchemes(%q) = %v, want %v", base, got, want)
		}
	}
}

// TestRefusalListsAtMostMaxFields: a small body with thousands of
// bad entries is answered with a bounded list that says how many more
// there were, not with one entry per violation.
func TestRefusalListsAtMostMaxFields(t *testing.T) {
	v := contract.MustNew()
	for _, n := range []int{apierror.MaxFields, 13000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			entries := make([]string, n)
			for i := range entries {
				entries[i] = `"x"`
			}
			body := `{"accessListIps":[` + strings.Join(entries, ",") + `]}`
			u, _ := url.Parse("/api/atlas/v2" + orgPath)
			m, err := v.Match(http.MethodPost, u)
			if err != nil {
				t.Fatal(err)
			}
			req := &contract.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
			res := serverside.CheckMatch(v, m, &contract.Exchange{Request: req})
			rec := httptest.NewRecorder()
			if !serverside.Refuse(rec, m, res) || rec.Code != http.StatusBadRequest {
				t.Fatalf("not refused: %d", rec.Code)
			}
			var e struct {
				Detail           string
				BadRequestDetail struct{ Fields []struct{ Field string } }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if got := len(e.BadRequestDetail.Fields); got != apierror.MaxFields {
				t.Errorf("%d fields listed, want %d", got, apierror.MaxFields)
			}
			more := fmt.Sprintf("%d more violations", n-apierror.MaxFields)
			if n > apierror.MaxFields != strings.Contains(e.Detail, more) {
				t.Errorf("detail %q (want %q iff over the cap)", e.Detail, more)
			}
			// 100 fields of a few dozen bytes each, whatever the body held.
			if rec.Body.Len() > 16<<10 {
				t.Errorf("a %d-byte body got a %d-byte refusal", len(body), rec.Body.Len())
			}
		})
	}
}

// TestContractDoesNotExportServing: what only this module's servers need
// stays out of contract's public API, where importers would see it in
// their docs and be held to it.
func TestContractDoesNotExportServing(t *testing.T) {
	paths, err := filepath.Glob("../../contract/*.go")
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				name := d.Name.Name
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if s, ok := recv.(*ast.StarExpr); ok {
						recv = s.X
					}
					name = recv.(*ast.Ident).Name + "." + name
				}
				exported[name] = d.Name.IsExported()
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if v, ok := s.(*ast.ValueSpec); ok {
						for _, n := range v.Names {
							exported[n.Name] = n.IsExported()
						}
					}
				}
			}
		}
	}
	if !exported["Validator.Check"] {
		t.Fatal("no Validator.Check found: the parse read the wrong package")
	}
	for _, name := range []string{"Match.Negotiate", "ErrNotAcceptable", "Match.AuthSchemes", "Match.Anonymous",
		"Match.UnescapedPathParams", "Validator.ServerAuthSchemes", "Validator.UnderServer", "Refuse", "Validator.CheckMatch"} {
		if exported[name] {
			t.Errorf("contract exports %s; internal/serverside lends it to this module's servers", name)
		}
	}
}
