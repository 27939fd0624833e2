package contract_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

const (
	v2Type    = "application/vnd.atlas.2023-01-01+json"
	orgPath   = "/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"
	digestHdr = `Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", algorithm=MD5, response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
)

// fakeAtlas answers a create with status and body, echoing nothing.
func fakeAtlas(t *testing.T, status int, ct, body string, seen *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if seen != nil {
			*seen = string(b)
		}
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newCreate(t *testing.T, base, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/atlas/v2"+orgPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", v2Type)
	req.Header.Set("Accept", v2Type)
	req.Header.Set("Authorization", digestHdr)
	return req
}

func TestTransportLeavesBodiesReadable(t *testing.T) {
	var seen string
	srv := fakeAtlas(t, 201, v2Type+";charset=utf-8", `{"linkToken":"redactedToken"}`, &seen)
	client := &http.Client{Transport: contract.TestTransport(t, nil)}
	resp, err := client.Do(newCreate(t, srv.URL, `{"accessListIps":["192.0.2.10"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if string(got) != `{"linkToken":"redactedToken"}` {
		t.Errorf("caller read %q", got)
	}
	if seen != `{"accessListIps":["192.0.2.10"]}` {
		t.Errorf("server read %q", seen)
	}
}

// failTB records what TestTransport reports instead of failing the test.
type failTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (f *failTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestTestTransportFailsOnViolation(t *testing.T) {
	srv := fakeAtlas(t, 201, v2Type, `{"linkToken":["string"]}`, nil)
	tb := &failTB{TB: t}
	client := &http.Client{Transport: contract.TestTransport(tb, nil)}
	resp, err := client.Do(newCreate(t, srv.URL, `{"accessListIps":["192.0.2.10"]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != `{"linkToken":["string"]}` {
		t.Errorf("caller read %q", got)
	}
	if len(tb.errs) != 1 || !strings.Contains(tb.errs[0], "response body /linkToken: type: expected string, found array") {
		t.Errorf("reported %q", tb.errs)
	}
}

func TestTransportIgnoresOtherTraffic(t *testing.T) {
	srv := fakeAtlas(t, 418, "text/plain", "teapot", nil)
	tb := &failTB{TB: t}
	client := &http.Client{Transport: contract.TestTransport(tb, nil)}
	resp, err := client.Get(srv.URL + "/api/atlas/v2/groups")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(tb.errs) != 0 {
		t.Errorf("reported %q", tb.errs)
	}
}

// digestServer answers the 401 challenge to a request without credentials
// and 201 to one with them, checking the body arrives whole both times.
func digestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"accessListIps":["192.0.2.10"]}` {
			t.Errorf("server read %q", b)
		}
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":401,"errorCode":"NOT_ORG_GROUP_CREATOR","parameters":null,"reason":"Unauthorized"}`)
			return
		}
		w.Header().Set("Content-Type", v2Type+";charset=utf-8")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"linkToken":"redactedToken"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fakeDigest is the shape of a digest transport: try without credentials,
// and on the challenge replay the body (GetBody) with an Authorization.
type fakeDigest struct{ next http.RoundTripper }

func (d fakeDigest) RoundTrip(req *http.Request) (*http.Response, error) {
	first := req.Clone(req.Context())
	resp, err := d.next.RoundTrip(first)
	if err != nil || resp.StatusCode != 401 {
		return resp, err
	}
	resp.Body.Close()
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	retry.Header.Set("Authorization", digestHdr)
	return d.next.RoundTrip(retry)
}

func TestTransportAboveAndBelowDigest(t *testing.T) {
	srv := digestServer(t)
	for name, wrap := range map[string]func(tb testing.TB) http.RoundTripper{
		// Validation above authentication: credentials are read from the
		// request the digest layer finally sent (resp.Request).
		"above": func(tb testing.TB) http.RoundTripper {
			return contract.TestTransport(tb, fakeDigest{http.DefaultTransport})
		},
		// Validation below: it sees the challenge and the retry as two exchanges.
		"below": func(tb testing.TB) http.RoundTripper {
			return fakeDigest{contract.TestTransport(tb, http.DefaultTransport)}
		},
	} {
		t.Run(name, func(t *testing.T) {
			tb := &failTB{TB: t}
			client := &http.Client{Transport: wrap(tb)}
			req := newCreate(t, srv.URL, `{"accessListIps":["192.0.2.10"]}`)
			req.Header.Del("Authorization")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 || string(b) != `{"linkToken":"redactedToken"}` {
				t.Errorf("got %d %q", resp.StatusCode, b)
			}
			if len(tb.errs) != 0 {
				t.Errorf("reported %q", tb.errs)
			}
		})
	}
}

func TestValidatorIsSafeForConcurrentUse(t *testing.T) {
	v := contract.MustNew(contract.Strict())
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2" + orgPath)
				ex := &contract.Exchange{
					Request:  &contract.Request{Method: "POST", URL: u, Header: http.Header{"Content-Type": {v2Type}, "Authorization": {digestHdr}}, Body: []byte(`{"accessListIps":["192.0.2.10"]}`)},
					Response: &contract.Response{StatusCode: 201, Header: http.Header{"Content-Type": {v2Type}}, Body: []byte(`{"linkToken":["x"]}`)},
				}
				if res, _ := v.Check(ex); res == nil || len(res.Violations) != 1 {
					t.Errorf("got %v", res)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestTransportReportsABodyThatBrokeOff: a response whose body ends before
// its Content-Length is not judged as if whole, though the part that came
// is a conforming JSON text that a client's json.Decoder reads without an
// error: TestTransport fails, NewTransport's report gets it, and the
// client's own read still fails.
func TestTransportReportsABodyThatBrokeOff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 201 Created\r\nContent-Type: " + v2Type + "\r\nContent-Length: 200\r\n\r\n" + `{"linkToken":"x"}`)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	const want = "response body: body-size: expected a body read to its end, found the body broke off after 17 bytes (not judged)"

	tb := &failTB{TB: t}
	client := &http.Client{Transport: contract.TestTransport(tb, nil)}
	resp, err := client.Do(newCreate(t, srv.URL, `{"accessListIps":["192.0.2.10"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ LinkToken string }
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || created.LinkToken != "x" {
		t.Fatalf("decoded %+v, %v: the part that came should decode", created, err)
	}
	resp.Body.Close()
	if len(tb.errs) != 1 || !strings.HasSuffix(tb.errs[0], want) {
		t.Errorf("TestTransport reported %q, want one ending %q", tb.errs, want)
	}

	var reported contract.Violations
	tr := contract.NewTransport(contract.MustNew(), nil, func(vs contract.Violations) { reported = append(reported, vs...) })
	resp, err = (&http.Client{Transport: tr}).Do(newCreate(t, srv.URL, `{"accessListIps":["192.0.2.10"]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != `{"linkToken":"x"}` || rerr == nil {
		t.Errorf("the client read %q, %v; want the part that came, then the failure", got, rerr)
	}
	if len(reported) != 1 || !strings.HasSuffix(reported[0].Error(), want) {
		t.Errorf("NewTransport reported %v", reported)
	}
}
