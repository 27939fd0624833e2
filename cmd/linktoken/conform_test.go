package main

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

func conformEnv(srv *atlastest.Server) map[string]string {
	return map[string]string{
		atlas.EnvPublicAPIKey:  srv.PublicKey(),
		atlas.EnvPrivateAPIKey: srv.PrivateKey(),
		atlas.EnvOrgID:         createTestOrg,
	}
}

// TestConformAgainstTheInMemoryAtlas: every check passes, the link the run
// created is gone, and no output carries the private key.
func TestConformAgainstTheInMemoryAtlas(t *testing.T) {
	srv := atlastest.NewServer(t)
	r := runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--base-url", srv.URL(), "--force", "--max-requests", "300")
	if r.code != exitOK || !strings.Contains(r.stdout, " 0 failed") || !strings.Contains(r.stdout, "OBSERVED assumption ") {
		t.Fatalf("got %+v", r)
	}
	if _, ok := srv.LinkToken(createTestOrg); ok {
		t.Error("the run left a link behind")
	}
	if strings.Contains(r.stdout+r.stderr, srv.PrivateKey()) {
		t.Error("output carries the private key")
	}

	r = runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--base-url", srv.URL(), "--force", "-o", "json", "--api-version", "v1.0")
	var rep struct {
		Requests, Checks, Failed int
		Outcomes                 []struct{ Kind, Case, Request string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK || rep.Failed != 0 || rep.Requests == 0 {
		t.Fatalf("json: %v %+v", err, r)
	}
	for _, o := range rep.Outcomes {
		if strings.Contains(o.Request, "/api/atlas/v2/") {
			t.Fatalf("--api-version v1.0 sent %s", o.Request)
		}
	}

	r = runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--base-url", srv.URL(), "--force", "-o", "junit", "--max-requests", "40")
	var doc struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Suites) != 1 || doc.Suites[0].Tests == 0 {
		t.Fatalf("junit: %v %+v", err, r)
	}
}

// TestConformReportsFailuresWithAReplay: a server refusing conforming
// traffic (here: the wrong credentials) fails checks, each with the
// request and a curl line that replays it without the run's secrets.
func TestConformReportsFailuresWithAReplay(t *testing.T) {
	srv := atlastest.NewServer(t)
	env := conformEnv(srv)
	env[atlas.EnvPrivateAPIKey] = "00000000-0000-0000-0000-000000000000"
	r := runCLI(t, cliOpts{env: env}, "conform", "--base-url", srv.URL(), "--force", "--max-requests", "30")
	if r.code != exitAPI || !strings.Contains(r.stdout, "FAIL positive_data_acceptance") || !strings.Contains(r.stdout, "replay:  curl -sS -i --digest -u \"$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY\"") {
		t.Fatalf("got %+v", r)
	}
	if strings.Contains(r.stdout+r.stderr, "00000000-0000-0000-0000-000000000000") {
		t.Error("output carries the private key")
	}
}

func TestConformRefusesWithoutATargetOrConsent(t *testing.T) {
	srv := atlastest.NewServer(t)
	if r := runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--force"); r.code != exitUsage || !strings.Contains(r.stderr, "--base-url is required") {
		t.Errorf("no --base-url: %+v", r)
	}
	if r := runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--base-url", srv.URL()); r.code != exitUsage || !strings.Contains(r.stderr, "without --force") {
		t.Errorf("no --force, no terminal: %+v", r)
	}
	if r := runCLI(t, cliOpts{env: conformEnv(srv), terminal: true, stdin: "n\n"}, "conform", "--base-url", srv.URL()); r.code != exitOK || !strings.Contains(r.stderr, "Nothing sent") || srv.Stats().Exchanges != 0 {
		t.Errorf("declined: %+v", r)
	}
}
