package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestDemoConformsOnEveryVariant(t *testing.T) {
	for _, args := range [][]string{{"demo"}, {"demo", "--api-version", "v1.0"}, {"demo", "--envelope"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, cliOpts{}, args...)
			if r.code != exitOK {
				t.Fatalf("got %+v", r)
			}
			lines := regexp.MustCompile(`(?m)^  #\d+ (POST|DELETE) +/api/atlas/v[0-9.]+/orgs/\w+/liveMigrations/linkTokens\S* → (\d+)  conforms$`).FindAllStringSubmatch(r.stdout, -1)
			if len(lines) != 4 {
				t.Fatalf("%d conforming exchange lines, want 4:\n%s", len(lines), r.stdout)
			}
			for _, want := range []string{"Summary: 4 exchanges (1 digest challenge), 4 conform", "4 of 4 steps", "refused with no exchange", "Every exchange conformed."} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if !strings.HasPrefix(r.stdout, "A link-token lets a Cloud Manager or Ops Manager organization push a live migration into an Atlas organization.\n") {
				t.Errorf("the demo does not start by saying what a link-token is for:\n%s", r.stdout)
			}
			// The service's UNEXPECTED_ERROR beside a tick must say whose code it is.
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.Contains(line, "UNEXPECTED_ERROR") && !strings.Contains(line, "the service's own code") {
					t.Errorf("UNEXPECTED_ERROR printed without saying it is the service's code: %q", line)
				}
			}
			if !strings.Contains(r.stdout, "✓ 404 Not Found, as expected") {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			if strings.Contains(r.stdout, "✗") || r.stderr != "" {
				t.Errorf("failures reported:\n%s\n%s", r.stdout, r.stderr)
			}
		})
	}
}

func TestDemoNeverPrintsTheToken(t *testing.T) {
	r := runCLI(t, cliOpts{}, "demo")
	// A link-token is long base64; the demo shows only the redaction marker.
	if regexp.MustCompile(`[A-Za-z0-9+=]{40,}`).MatchString(r.stdout) || !strings.Contains(r.stdout, "[REDACTED link-token]") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestDemoRefusesBadFlags(t *testing.T) {
	r := runCLI(t, cliOpts{}, "demo", "--api-version", "v7")
	if r.code != exitUsage || !strings.Contains(r.stderr, "v7") {
		t.Fatalf("got %+v", r)
	}
}

// plainTextCreated answers every 201 as text/plain, which the contract does
// not declare.
type plainTextCreated struct{ http.ResponseWriter }

func (w plainTextCreated) WriteHeader(code int) {
	if code == http.StatusCreated {
		w.Header().Set("Content-Type", "text/plain")
	}
	w.ResponseWriter.WriteHeader(code)
}

func TestDemoFailsWhenTheServerBreaksTheContract(t *testing.T) {
	saved := demoServerHook
	t.Cleanup(func() { demoServerHook = saved })
	demoServerHook = func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(plainTextCreated{w}, r) })
	}
	r := runCLI(t, cliOpts{}, "demo")
	if r.code != exitAPI {
		t.Fatalf("exit %d, want %d:\n%s\n%s", r.code, exitAPI, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "→ 201  VIOLATES the contract") || !strings.Contains(r.stdout, "1 do not") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "violation:") || !strings.Contains(r.stderr, "demo failed: 1 non-conforming exchange, ") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
