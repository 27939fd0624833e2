package contract_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestMiddlewareRefusesWithFields(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	reached := false
	h := contract.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2/orgs/4888442a3354817a7320EB61/liveMigrations/linkTokens",
		strings.NewReader(`{"accessListIps":["not-an-ip"]}`))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if reached {
		t.Fatal("a non-conforming request reached the handler")
	}
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var body struct {
		Error            int
		ErrorCode        string
		BadRequestDetail struct {
			Fields []struct{ Field, Description string }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, f := range body.BadRequestDetail.Fields {
		fields = append(fields, f.Field)
	}
	if body.Error != 400 || body.ErrorCode != "VALIDATION_ERROR" || strings.Join(fields, ",") != "orgId,/accessListIps/0" {
		t.Errorf("body %s", rec.Body)
	}
	// The refusal itself keeps to the contract.
	ex := &contract.Exchange{
		Request:  &contract.Request{Method: req.Method, URL: req.URL, Header: req.Header, Body: []byte(`{"accessListIps":["192.0.2.1"]}`)},
		Response: &contract.Response{StatusCode: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()},
	}
	ex.Request.URL.Path = "/api/atlas/v2" + orgPath
	if res, err := v.Check(ex); err != nil || !res.OK() {
		t.Errorf("the middleware's own 400 breaks the contract: %v %v", err, res.Violations)
	}
}

func TestMiddlewareReportsResponses(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	var mu sync.Mutex
	var got contract.Violations
	h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, res.Violations...)
	}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"accessListIps":["192.0.2.10"]}` {
			t.Errorf("handler read %q", b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(429) // without Retry-After
		_, _ = io.WriteString(w, `{"error":429,"errorCode":"RATE_LIMITED"}`)
	}))
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, strings.NewReader(`{"accessListIps":["192.0.2.10"]}`))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 429 || rec.Body.String() != `{"error":429,"errorCode":"RATE_LIMITED"}` {
		t.Errorf("response changed: %d %s", rec.Code, rec.Body)
	}
	if len(got) != 1 || got[0].Rule != contract.RuleRequiredHeader || got[0].Pointer != "/Retry-After" {
		t.Errorf("reported %v", got)
	}
}

func TestMiddlewareLetsAnonymousThroughToTheChallenge(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	var got contract.Violations
	h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) { got = res.Violations }))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="abc", algorithm=MD5, qop="auth", stale=false`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`)
	}))
	req := httptest.NewRequest(http.MethodDelete, "/api/atlas/v1.0"+orgPath, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 || got != nil {
		t.Errorf("got %d, reported %v", rec.Code, got)
	}
}

// TestMiddlewareJudgesTheFinalStatus: informational responses a handler
// sends first (103 Early Hints) are not the answer: the exchange is judged
// by the status and headers that end it.
func TestMiddlewareJudgesTheFinalStatus(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	for _, tc := range []struct {
		name   string
		status int
		want   string // the rule reported, "" for none
	}{
		{"a conforming 204", 204, ""},
		{"a 429 without Retry-After", 429, contract.RuleRequiredHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got contract.Violations
			h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) { got = res.Violations }))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", "</style.css>; rel=preload")
				w.WriteHeader(http.StatusEarlyHints)
				w.Header().Del("Link")
				if tc.status == 204 {
					w.Header().Set("Content-Type", v2Type)
					w.WriteHeader(204)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"error":429,"errorCode":"RATE_LIMITED","parameters":null,"reason":"Too Many Requests"}`)
			}))
			req := httptest.NewRequest(http.MethodDelete, "/api/atlas/v2"+orgPath, nil)
			req.Header.Set("Accept", v2Type)
			req.Header.Set("Authorization", digestHdr)
			h.ServeHTTP(httptest.NewRecorder(), req)
			var rules []string
			for _, x := range got {
				rules = append(rules, x.Rule)
			}
			if strings.Join(rules, ",") != tc.want {
				t.Errorf("reported %v, want %q", got, tc.want)
			}
		})
	}
}
