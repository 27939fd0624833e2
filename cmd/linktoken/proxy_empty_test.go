package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProxyThatCheckedNothingFails: a proxy stopped without having checked
// one exchange of the contract gave no verdict, and says so (exit 3), as
// check does on an archive without one: a CI job whose client went around
// the proxy, or whose requests all went to other paths, must not pass.
// --allow-empty accepts it.
func TestProxyThatCheckedNothingFails(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(upstream.Close)
	for _, tc := range []struct {
		name  string
		args  []string
		other bool // a request of no operation of the contract goes through
		want  int
	}{
		{"no traffic", nil, false, exitNothingChecked},
		{"only other traffic", nil, true, exitNothingChecked},
		{"no traffic, allowed", []string{"--allow-empty"}, false, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _, stderr, stop := proxyRunning(t, upstream.URL, tc.args...)
			if tc.other {
				resp, err := http.Get(root + "/api/atlas/v2/groups")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if code := stop(); code != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			if tc.want == exitNothingChecked && !strings.Contains(stderr.String(), "no exchange of the contract was checked") {
				t.Errorf("stderr does not say nothing was checked:\n%s", stderr)
			}
		})
	}
}
