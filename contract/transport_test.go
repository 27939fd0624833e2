package contract_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
