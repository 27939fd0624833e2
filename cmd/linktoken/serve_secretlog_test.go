package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// TestServeAndDemoRecordSecretsForTheScan: under make secret-scan, serve
// and demo hand what they meet to the secret log, as atlastest.NewServer
// does, so the scan covers their output too. (Not parallel: t.Setenv.)
func TestServeAndDemoRecordSecretsForTheScan(t *testing.T) {
	t.Run("serve", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "secrets")
		t.Setenv(secretlog.EnvVar, file)
		const public, private = "slimpub", "slim-serve-private-0a1b2c"
		root, _, stderr, stop := serveRunning(t, map[string]string{
			"MONGODB_ATLAS_PUBLIC_API_KEY":  public,
			"MONGODB_ATLAS_PRIVATE_API_KEY": private,
		}, "--addr", "127.0.0.1:0")
		hc := &http.Client{Transport: &digest.Transport{Username: public, Password: private}}
		req, _ := http.NewRequest(http.MethodPost, root+atlastest.BasePathV2+"/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
			strings.NewReader(`{"accessListIps":[]}`))
		req.Header.Set("Content-Type", atlastest.MediaTypeV2)
		req.Header.Set("Accept", atlastest.MediaTypeV2)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if code := stop(); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := secretLines(t, file)
		if !lines[private] || len(lines) < 3 { // the key, a digest response, the link-token…
			t.Errorf("serve recorded %d secrets, the private key among them: %t", len(lines), lines[private])
		}
	})
	t.Run("demo", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "secrets")
		t.Setenv(secretlog.EnvVar, file)
		if r := runCLI(t, cliOpts{}, "demo"); r.code != exitOK {
			t.Fatalf("demo: %+v", r)
		}
		if n := len(secretLines(t, file)); n < 3 {
			t.Errorf("demo recorded %d secrets", n)
		}
	})
}

func secretLines(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no secret log: %v", err)
	}
	got := map[string]bool{}
	for _, l := range strings.Fields(string(b)) {
		got[l] = true
	}
	return got
}
