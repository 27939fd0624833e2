package contract_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestMiddlewareRefusesWithFields(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	reached := false
	h := contract.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2/orgs/4888442a3354817a7320zz61/liveMigrations/linkTokens",
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

// TestMiddlewareSaysWhereListingStopped: a refused body over 64 KiB is
// judged to its first failing value, and the refusal says that listing
// stopped there rather than list one field as if it were the only one.
func TestMiddlewareSaysWhereListingStopped(t *testing.T) {
	h := contract.Middleware(contract.MustNew())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	body := `{"accessListIps":[` + strings.Repeat("1,", 50_000) + `1]}`
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, strings.NewReader(body))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var refusal struct {
		BadRequestDetail struct {
			Fields []struct{ Field, Description string }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &refusal); err != nil {
		t.Fatal(err)
	}
	fields := refusal.BadRequestDetail.Fields
	if rec.Code != 400 || len(fields) != 2 || fields[0].Field != "/accessListIps/0" ||
		!strings.Contains(fields[1].Description, "listing stopped at the first") {
		t.Errorf("got %d %s", rec.Code, rec.Body)
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
		w.Header().Set("Retry-After", "soon") // not whole seconds
		w.WriteHeader(429)
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
	if len(got) != 1 || got[0].Rule != "type" || got[0].Pointer != "/Retry-After" {
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
		{"a 429 whose Retry-After is not whole seconds", 429, "type"},
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
				w.Header().Set("Retry-After", "soon")
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

// TestMiddlewareLetsTheHandshakesFirstRequestThrough: curl sends the digest
// handshake's first request without credentials and without its body. The
// middleware passes it on to the handler, whose 401 challenge is the
// answer (it used to refuse it 400 for the missing body); should the
// handler answer anything else, the report has both the missing
// credentials and the missing body, once each.
func TestMiddlewareLetsTheHandshakesFirstRequestThrough(t *testing.T) {
	v := contract.MustNew()
	for _, tc := range []struct {
		name   string
		status int
		want   []string // rules reported
	}{
		{"answered by the challenge", 401, nil},
		{"answered without authenticating", 201, []string{contract.RuleSecurity, contract.RuleRequired}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			reached := false
			h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) {
				for _, x := range res.Violations {
					got = append(got, x.Rule)
				}
			}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				if tc.status == 401 {
					w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="abc", algorithm=MD5, qop="auth", stale=false`)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(401)
					_, _ = io.WriteString(w, `{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`)
					return
				}
				w.Header().Set("Content-Type", v2Type)
				w.WriteHeader(201)
				_, _ = io.WriteString(w, `{"linkToken":"redactedToken"}`)
			}))
			req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, nil)
			req.Header.Set("Content-Type", v2Type)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !reached || rec.Code != tc.status {
				t.Fatalf("reached %v, answered %d %s; want the handler's %d", reached, rec.Code, rec.Body, tc.status)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("reported %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMiddlewareReportsEachFindingOnce: with ReportTo, the request is judged
// once, before the handler, and the report is the whole exchange's verdict
// as Check gives it: what the request has that does not refuse it (a
// malformed credential, an undeclared parameter) once, beside the
// response's, each named for the whole exchange.
func TestMiddlewareReportsEachFindingOnce(t *testing.T) {
	v := contract.MustNew()
	var reports []*contract.Result
	h := contract.Middleware(v, contract.ReportTo(func(_ *http.Request, res *contract.Result) {
		reports = append(reports, res)
	}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "soon") // not whole seconds
		w.WriteHeader(429)
		_, _ = io.WriteString(w, `{"error":429,"errorCode":"RATE_LIMITED"}`)
	}))
	const body = `{"accessListIps":["192.0.2.10"]}`
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath+"?undeclared=1", strings.NewReader(body))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", "Basic !!!")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	want, err := v.Check(&contract.Exchange{
		Request:  &contract.Request{Method: req.Method, URL: req.URL, Header: req.Header, Body: []byte(body)},
		Response: &contract.Response{StatusCode: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(vs contract.Violations) []string {
		var out []string
		for _, x := range vs {
			out = append(out, strings.Join([]string{x.Exchange, string(x.Side), string(x.Part), x.Pointer, x.Rule, x.Expected, x.Found}, "|"))
		}
		slices.Sort(out)
		return out
	}
	got := reports[0]
	if g, w := keys(got.Violations), keys(want.Violations); !slices.Equal(g, w) {
		t.Errorf("violations reported\n%s\nwant Check's\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
	if g, w := keys(got.Notices), keys(want.Notices); !slices.Equal(g, w) {
		t.Errorf("notices reported\n%s\nwant Check's\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
	var rules []string
	for _, x := range append(slices.Clone(got.Violations), got.Notices...) {
		rules = append(rules, x.Rule)
	}
	slices.Sort(rules)
	if w := []string{contract.RuleSecurity, "type", contract.RuleUndeclaredParam}; !slices.Equal(rules, w) {
		t.Errorf("reported %q, want each of %q once", rules, w)
	}
}
