package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/pathvariant"
)

// TestCheckAgreesWithTheProxyOnItsRecording: `check` on the archive
// `proxy --record` wrote gives the verdict the proxy gave live, with the
// same exit code: a create to a variant of the contract's path is a
// path-variant violation (1), not an exchange outside the contract; a
// request the upstream never answered beside one it did could not be
// judged (4), not a pass. An answer the proxy had no room to hold
// (--max-buffered-bytes), or one over --max-body-bytes, got no verdict live
// (4), and check reports its body not judged (4), never a pass, a breach,
// nor a verdict on a 201 without a body.
func TestCheckAgreesWithTheProxyOnItsRecording(t *testing.T) {
	const small = `{"linkToken":"c2VjcmV0"}`
	for _, tc := range []struct {
		name     string
		paths    []string // the creates sent, in order, under /api/atlas/v2
		answered int      // how many of them the upstream answers
		args     []string // the proxy's, beyond --record
		answer   string   // the upstream's body
		code     int      // the proxy's exit code
		checked  int      // check's
		want     string   // in check's output
	}{
		{"a trailing slash", []string{linkTokens + "/"}, 1, nil, small, exitAPI, exitAPI, pathvariant.Rule},
		{"another case", []string{strings.Replace(linkTokens, "linkTokens", "LINKTOKENS", 1)}, 1, nil, small, exitAPI, exitAPI, pathvariant.Rule},
		{"one of two unanswered", []string{linkTokens, linkTokens}, 1, nil, small, exitNoAnswer, exitNoAnswer, "1 without a response"},
		{"an answer not held", []string{linkTokens}, 1, []string{"--max-body-bytes", "1000", "--max-buffered-bytes", "1000"},
			`{"linkToken":"` + strings.Repeat("A", 4000) + `"}`, exitNoAnswer, exitNoAnswer, "of which the archive holds 0 (not judged)"},
		{"an answer over the cap", []string{linkTokens}, 1, []string{"--max-body-bytes", "1000"},
			`{"linkToken":"` + strings.Repeat("A", 4000) + `"}`, exitNoAnswer, exitNoAnswer, "body-size: expected a body read to its end, found 1001 bytes as recorded, of which the archive holds 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if int(n.Add(1)) > tc.answered {
					// No answer: the connection closes under the request.
					conn, _, err := http.NewResponseController(w).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				w.Header().Set("Content-Type", v2MediaType)
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, tc.answer)
			}))
			t.Cleanup(upstream.Close)
			har := filepath.Join(t.TempDir(), "traffic.har")
			root, _, stderr, stop := proxyRunning(t, upstream.URL, append([]string{"--record", har}, tc.args...)...)
			for _, p := range tc.paths {
				req := createRequest(root, createJSON)
				req.URL.Path, req.URL.RawPath = "/api/atlas/v2"+p, ""
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			live := stop()
			r := checkHAR(t, har)
			if live != tc.code || r.code != tc.checked {
				t.Fatalf("the proxy exited %d, check on its recording %d; want %d and %d\nproxy: %s\ncheck: %+v", live, r.code, tc.code, tc.checked, stderr, r)
			}
			if !strings.Contains(r.stdout, tc.want) {
				t.Errorf("check's output lacks %q: %+v", tc.want, r)
			}
		})
	}
}
