package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestRoutesListEveryOperation(t *testing.T) {
	for name, doc := range map[string]*openapi3.T{"the contract": docCopy(t), "a grown contract": grownDoc(t)} {
		t.Run(name, func(t *testing.T) {
			// What the document declares, read without this package.
			var want []contract.Route
			for _, path := range doc.Paths.InMatchingOrder() {
				for method, op := range doc.Paths.Value(path).Operations() {
					want = append(want, contract.Route{Operation: op.OperationID, Method: method, Path: path})
				}
			}
			slices.SortFunc(want, func(a, b contract.Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
			v, err := contract.New(contract.WithDocument(doc))
			if err != nil {
				t.Fatal(err)
			}
			got := v.Routes()
			if len(want) < 2 || !slices.Equal(got, want) {
				t.Fatalf("Routes() = %+v, want %+v", got, want)
			}
			for _, r := range got {
				if p := r.Pattern(); p != r.Method+" "+r.Path {
					t.Errorf("Pattern() = %q", p)
				}
			}
		})
	}
}

func TestServerAuthSchemes(t *testing.T) {
	v := contract.MustNew()
	for base, want := range map[string][]string{
		"/api/atlas/v2":   {"bearer", "digest"},
		"/api/atlas/v1.0": {"digest"},
		"/api/atlas/v3":   nil,
	} {
		if got := v.ServerAuthSchemes(base); !slices.Equal(got, want) {
			t.Errorf("ServerAuthSchemes(%q) = %v, want %v", base, got, want)
		}
	}
}

// TestRefusalListsAtMostMaxRefusedFields: a small body with thousands of
// bad entries is answered with a bounded list that says how many more
// there were, not with one entry per violation.
func TestRefusalListsAtMostMaxRefusedFields(t *testing.T) {
	v := contract.MustNew()
	for _, n := range []int{contract.MaxRefusedFields, 13000} {
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
			res := v.CheckMatch(m, &contract.Exchange{Request: req})
			rec := httptest.NewRecorder()
			if !contract.Refuse(rec, m, res) || rec.Code != http.StatusBadRequest {
				t.Fatalf("not refused: %d", rec.Code)
			}
			var e struct {
				Detail           string
				BadRequestDetail struct{ Fields []struct{ Field string } }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if got := len(e.BadRequestDetail.Fields); got != contract.MaxRefusedFields {
				t.Errorf("%d fields listed, want %d", got, contract.MaxRefusedFields)
			}
			more := fmt.Sprintf("%d more violations", n-contract.MaxRefusedFields)
			if n > contract.MaxRefusedFields != strings.Contains(e.Detail, more) {
				t.Errorf("detail %q (want %q iff over the cap)", e.Detail, more)
			}
			// 100 fields of a few dozen bytes each, whatever the body held.
			if rec.Body.Len() > 16<<10 {
				t.Errorf("a %d-byte body got a %d-byte refusal", len(body), rec.Body.Len())
			}
		})
	}
}
