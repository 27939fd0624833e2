package contract_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// What the live service does that an older contract refused, and what a
// contract check must not let through; each case failed before the change
// it tests.

func createExchange(reqBody, respBody []byte, reqHeader, respHeader http.Header) *contract.Exchange {
	rh := http.Header{"Content-Type": {v2Type}, "Accept": {v2Type}, "Authorization": {digestHdr}}
	for k, v := range reqHeader {
		rh[k] = v
	}
	sh := http.Header{"Content-Type": {v2Type + ";charset=utf-8"}, "Ratelimit-Limit": {"500"}, "Ratelimit-Remaining": {"498"}}
	for k, v := range respHeader {
		sh[k] = v
	}
	ex := createFixture()
	ex.Request.Header, ex.Request.Body = rh, reqBody
	ex.Response.Header, ex.Response.Body = sh, respBody
	return ex
}

func createFixture() *contract.Exchange {
	u, _, _, _, _ := benchExchange()
	return &contract.Exchange{
		Request:  &contract.Request{Method: http.MethodPost, URL: u},
		Response: &contract.Response{StatusCode: 201},
	}
}

var createBody = []byte(`{"accessListIps":["192.0.2.10"]}`)

// TestUndeclaredResponsePropertyIsANotice: MongoDB adds response properties
// within a resource version; a check reports one as a notice, and refuses
// it only when strict.
func TestUndeclaredResponsePropertyIsANotice(t *testing.T) {
	ex := createExchange(createBody, []byte(`{"linkToken":"t","expiresAt":"2026-12-01T00:00:00Z"}`), nil, nil)
	res, err := contract.MustNew().Check(ex)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Notices) != 1 || res.Notices[0].Pointer != "/expiresAt" || res.Notices[0].Rule != contract.RuleAdditionalProps {
		t.Fatalf("lenient: violations %v, notices %v; want one notice at /expiresAt", res.Violations, res.Notices)
	}
	res, _ = strict.Check(ex)
	if len(res.Violations) != 1 || res.Violations[0].Pointer != "/expiresAt" || len(res.Notices) != 0 {
		t.Fatalf("strict: violations %v, notices %v; want the property as a violation", res.Violations, res.Notices)
	}
	// An undeclared request property is a violation either way: the
	// reference page says invalid fields are rejected.
	ex = createExchange([]byte(`{"accessListIps":["192.0.2.10"],"ttl":1}`), []byte(`{"linkToken":"t"}`), nil, nil)
	res, _ = contract.MustNew().Check(ex)
	if len(res.Violations) != 1 || res.Violations[0].Pointer != "/ttl" || res.Violations[0].Side != contract.SideRequest {
		t.Fatalf("request property: violations %v", res.Violations)
	}
}

// TestTestTransportLogsNotices: TestTransport fails a test on a violation
// only; a notice is logged.
func TestTestTransportLogsNotices(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", v2Type)
		w.Header().Set("Ratelimit-Limit", "500")
		w.Header().Set("Ratelimit-Remaining", "1")
		w.WriteHeader(201)
		_, _ = w.Write([]byte(`{"linkToken":"t","addedLater":true}`))
	}))
	defer srv.Close()
	rec := &recordingTB{TB: t}
	client := &http.Client{Transport: contract.TestTransport(rec, nil)}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/atlas/v2"+orgPath, bytes.NewReader(createBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", v2Type)
	req.Header.Set("Authorization", digestHdr)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rec.errors != 0 || !strings.Contains(rec.logs, "notice") || !strings.Contains(rec.logs, "addedLater") {
		t.Fatalf("errors %d, logs %q", rec.errors, rec.logs)
	}
	strictRec := &recordingTB{TB: t}
	client = &http.Client{Transport: contract.TestTransport(strictRec, nil, contract.Strict())}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/atlas/v2"+orgPath, bytes.NewReader(createBody))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strictRec.errors != 1 {
		t.Fatalf("strict: %d errors, want 1", strictRec.errors)
	}
}

type recordingTB struct {
	testing.TB
	errors int
	logs   string
}

func (r *recordingTB) Errorf(format string, args ...any) { r.errors++ }
func (r *recordingTB) Logf(format string, args ...any) {
	r.logs += strings.TrimSpace(strings.ReplaceAll(format, "%v", "")) + " "
	for _, a := range args {
		if e, ok := a.(error); ok {
			r.logs += e.Error()
		}
	}
}

// TestEncodedBodiesAreDecodedFirst: a body in a Content-Encoding is checked
// as decoded, so a conforming gzip or br exchange conforms and a violation
// inside one is named for what it is.
func TestEncodedBodiesAreDecodedFirst(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
		return buf.Bytes()
	}
	br := func(b []byte) []byte {
		var buf bytes.Buffer
		w := brotli.NewWriter(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
		return buf.Bytes()
	}
	v := contract.MustNew()
	tests := []struct {
		name       string
		ex         *contract.Exchange
		wantRule   string // "" when it conforms
		wantPtr    string
		wantInText string
	}{
		{"gzip both ways", createExchange(gz(createBody), gz([]byte(`{"linkToken":"t"}`)),
			http.Header{"Content-Encoding": {"gzip"}}, http.Header{"Content-Encoding": {"gzip"}}), "", "", ""},
		{"br response", createExchange(createBody, br([]byte(`{"linkToken":"t"}`)), nil, http.Header{"Content-Encoding": {"br"}}), "", "", ""},
		{"a violation inside gzip", createExchange(createBody, gz([]byte(`{"linkToken":["t"]}`)), nil, http.Header{"Content-Encoding": {"gzip"}}),
			"type", "/linkToken", "expected string, found array"},
		{"not gzip at all", createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, http.Header{"Content-Encoding": {"gzip"}}),
			contract.RuleContentEncoding, "", "gzip"},
		{"a coding nothing decodes", createExchange(createBody, []byte(`{"linkToken":"t"}`), nil, http.Header{"Content-Encoding": {"compress"}}),
			contract.RuleContentEncoding, "", "compress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Check(tt.ex)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantRule == "" {
				if !res.OK() {
					t.Fatalf("want no violation, got %v", res.Violations)
				}
				return
			}
			if len(res.Violations) != 1 || res.Violations[0].Rule != tt.wantRule || res.Violations[0].Pointer != tt.wantPtr ||
				!strings.Contains(res.Violations[0].Error(), tt.wantInText) {
				t.Fatalf("want one %s violation at %q mentioning %q, got %v", tt.wantRule, tt.wantPtr, tt.wantInText, res.Violations)
			}
		})
	}
}

// TestMiddlewareCapsRequestBodies: a body over the limit is answered 413 in
// the Atlas error shape before the handler runs, whatever Content-Length
// says.
func TestMiddlewareCapsRequestBodies(t *testing.T) {
	v := contract.MustNew()
	for _, declared := range []bool{true, false} {
		reached := false
		h := contract.Middleware(v, contract.RequestBodyLimit(64))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
		body := `{"accessListIps":["` + strings.Repeat("1", 100) + `"]}`
		req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, strings.NewReader(body))
		if !declared {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", v2Type)
		req.Header.Set("Authorization", digestHdr)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if reached || rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("X-Error-Code") != "VALIDATION_ERROR" ||
			!strings.Contains(rec.Body.String(), `"error":413`) {
			t.Fatalf("declared %v: reached %v, got %d %s", declared, reached, rec.Code, rec.Body)
		}
		// The answer itself keeps the contract (413 is declared).
		ex := &contract.Exchange{
			Request:  &contract.Request{Method: http.MethodPost, URL: req.URL, Header: req.Header},
			Response: &contract.Response{StatusCode: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()},
		}
		res, err := v.Check(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res.Violations {
			if x.Side == contract.SideResponse {
				t.Errorf("the 413 breaks the contract: %v", x)
			}
		}
	}
	// Within the limit, the handler reads the same bytes.
	var got string
	h := contract.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		got = b.String()
	}))
	req := httptest.NewRequest(http.MethodPost, "/api/atlas/v2"+orgPath, bytes.NewReader(createBody))
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Authorization", digestHdr)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != string(createBody) {
		t.Fatalf("handler read %q", got)
	}
}

// TestDigestHandshakeIsJudgedByItsAnswer: curl --digest (used on MongoDB's
// own pages) sends the first request of the handshake without its body;
// that request, without credentials, conforms when it is answered by the
// 401 challenge, and only then.
func TestDigestHandshakeIsJudgedByItsAnswer(t *testing.T) {
	v := contract.MustNew()
	challenge := http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`}}
	ex := createExchange(nil, []byte(`{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`), nil, nil)
	ex.Request.Header.Del("Authorization")
	ex.Request.Header.Set("Content-Length", "0")
	ex.Response.StatusCode, ex.Response.Header = 401, challenge
	if res, err := v.Check(ex); err != nil || !res.OK() {
		t.Fatalf("the handshake's first request: %v %v", res, err)
	}
	ex.Response.StatusCode, ex.Response.Header, ex.Response.Body = 201, http.Header{"Content-Type": {v2Type}}, []byte(`{"linkToken":"t"}`)
	res, err := v.Check(ex)
	if err != nil || res.OK() {
		t.Fatalf("answered 201 without credentials: %v %v", res, err)
	}
}
