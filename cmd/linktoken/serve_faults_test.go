package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// TestServeQueuesFaultsOverHTTP: with --allow-fault-injection, a fault
// POSTed as JSON (what curl or Python would send) is met by the next
// authenticated request to an operation, after its digest handshake;
// without the flag there is no such endpoint.
func TestServeQueuesFaultsOverHTTP(t *testing.T) {
	const public, private = "faultpub", "fault-private-0b7e"
	env := map[string]string{"MONGODB_ATLAS_PUBLIC_API_KEY": public, "MONGODB_ATLAS_PRIVATE_API_KEY": private}
	root, stdout, _, stop := serveRunning(t, env, "--addr", "127.0.0.1:0", "--allow-fault-injection")
	defer stop()
	if !strings.Contains(stdout.String(), faultsPath) {
		t.Errorf("serve does not say where faults go:\n%s", stdout)
	}
	post := func(body string) (int, string) {
		t.Helper()
		res, err := http.Post(root+faultsPath, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	authed := &http.Client{Transport: &digest.Transport{Username: public, Password: private}}
	remove := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodDelete, root+atlastest.BasePathV2+"/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", nil)
		req.Header.Set("Accept", atlastest.MediaTypeV2)
		res, err := authed.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return res, err
	}

	for _, bad := range []string{`{"status":200}`, `{"status":503,"close":true}`, `{}`, `{"status":503,"count":5000}`, `{"status":503,"color":"red"}`, `not json`} {
		if st, body := post(bad); st != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", bad, st, body)
		}
	}
	if st, body := post(`{"status":429,"retryAfter":3}`); st != http.StatusCreated || !strings.Contains(body, `"pending":1`) {
		t.Fatalf("queue a 429: %d %s", st, body)
	}
	if st, body := post(`{"status":503,"count":2}`); st != http.StatusCreated || !strings.Contains(body, `"pending":3`) {
		t.Fatalf("queue two 503s: %d %s", st, body)
	}
	for i, want := range []int{429, 503, 503, 404} {
		res, err := remove()
		if err != nil || res.StatusCode != want {
			t.Fatalf("request %d: %v %v, want %d", i+1, err, res, want)
		}
		if want == 429 && res.Header.Get("Retry-After") != "3" {
			t.Errorf("429 Retry-After %q, want 3", res.Header.Get("Retry-After"))
		}
	}
	if st, _ := post(`{"close":true}`); st != http.StatusCreated {
		t.Fatalf("queue a close: %d", st)
	}
	if _, err := remove(); err == nil {
		t.Error("the queued close let an answer through")
	}

	// Without the flag, the path is the service's like any other: a 404.
	root2, _, _, stop2 := serveRunning(t, env, "--addr", "127.0.0.1:0")
	defer stop2()
	res, err := http.Post(root2+faultsPath, "application/json", strings.NewReader(`{"status":503}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the flag: %d", res.StatusCode)
	}
}

// TestFaultsOnlyFromLoopback: a caller from another machine cannot queue
// a fault even when the flag is on.
func TestFaultsOnlyFromLoopback(t *testing.T) {
	svc, err := atlastest.New()
	if err != nil {
		t.Fatal(err)
	}
	h := faultAdmin{svc: svc, next: svc}
	req := httptest.NewRequest(http.MethodPost, faultsPath, strings.NewReader(`{"status":503}`))
	req.RemoteAddr = "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || svc.PendingFaults() != 0 {
		t.Fatalf("from 192.0.2.7: %d, %d faults queued", rec.Code, svc.PendingFaults())
	}
}
