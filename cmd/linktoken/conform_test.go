package main

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/silentserver"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
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
	srv := testatlas.NewServer(t)
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
	srv := testatlas.NewServer(t)
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
	srv := testatlas.NewServer(t)
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

// TestConformAgainstAServerThatDoesNotAnswer: refused, hanging and
// resetting servers never pass, in any output: no answer is exit 4, and
// a create that may have arrived and could not be removed is exit 5; the
// summary says which, and no observation is reported.
func TestConformAgainstAServerThatDoesNotAnswer(t *testing.T) {
	env := conformEnv(testatlas.NewServer(t))
	for _, tc := range []struct {
		how, output string
		code        int
		says        string
	}{
		{"refused", "text", exitNoAnswer, "NOT JUDGED: 5 requests had no answer"},
		{"refused", "json", exitNoAnswer, `"verdict": "no-answer"`},
		{"refused", "junit", exitNoAnswer, `name="stopped early"`},
		{"hanging", "text", exitLeftBehind, "LEFT BEHIND"},
		{"hanging", "junit", exitLeftBehind, `classname="cleanup"`},
		// A reset may come before the request is written (then nothing
		// was created) or after (then a create may have been): 4 or 5.
		{"resetting", "text", exitNoAnswer, "NOT JUDGED: 5 requests had no answer"},
		{"resetting", "json", exitNoAnswer, `"unanswered": 5`},
	} {
		t.Run(tc.how+" "+tc.output, func(t *testing.T) {
			// Seed 3 puts a create among the first five requests, which a
			// hanging server leaves maybe carried out (exit 5).
			r := runCLI(t, cliOpts{env: env}, "conform", "--base-url", silentserver.Start(t, tc.how), "--force", "--timeout", "200ms", "--seed", "3", "-o", tc.output)
			code := r.code
			if tc.how == "resetting" && code == exitLeftBehind {
				code = exitNoAnswer
			}
			if code != tc.code || !strings.Contains(r.stdout, tc.says) {
				t.Fatalf("exit %d, want %d; stdout lacks %q:\n%s\nstderr: %s", r.code, tc.code, tc.says, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "OBSERVED") || strings.Contains(r.stdout, "removed what the run created") {
				t.Errorf("claims evidence it does not have:\n%s", r.stdout)
			}
		})
	}
}

// TestConformHelpTellsTheTruth: --base-url has no default, and without
// --api-version both versions run.
func TestConformHelpTellsTheTruth(t *testing.T) {
	if line := flagHelp(t, "conform", "base-url"); !strings.Contains(line, "required") || strings.Contains(line, "default https://") {
		t.Errorf("--base-url: %q", line)
	}
	if line := flagHelp(t, "conform", "api-version"); strings.Contains(line, `default "v2"`) || !strings.Contains(line, "both") {
		t.Errorf("--api-version: %q", line)
	}
	r := runCLI(t, cliOpts{}, "conform", "--help")
	for _, code := range []string{"0", "1", "2", "3", "4", "5"} {
		if !strings.Contains(r.stdout, "\n  "+code+"  ") {
			t.Errorf("conform --help does not state exit code %s", code)
		}
	}
}

// TestConformTakesPathParamsAndHeaders: --path-param and --header reach
// the run, are checked before anything is sent, and a header's value is
// never printed, not even in an error.
func TestConformTakesPathParamsAndHeaders(t *testing.T) {
	srv := testatlas.NewServer(t)
	env := conformEnv(srv)
	const secret = "s3cr3t-gateway-value"
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--path-param", "widgetId"}, "want NAME=VALUE"},
		{[]string{"--path-param", "orgId=4888442a3354817a7320eb61"}, "--orgId"},
		{[]string{"--path-param", "widgetId=1"}, `no parameter "widgetId" (it has envelope, orgId, pretty)`},
		{[]string{"--header", "X-Key " + secret}, `want "NAME: VALUE"`},
		{[]string{"--header", "Authorization: Bearer " + secret}, "sets it on each request itself"},
		{[]string{"--header", "Bad Name: " + secret}, `want "NAME: VALUE"`},
		{[]string{"--header", "X[Key]: " + secret}, `want "NAME: VALUE"`},
	} {
		r := runCLI(t, cliOpts{env: env}, append([]string{"conform", "--base-url", srv.URL(), "--force"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) || strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("%v: %+v", tc.args, r)
		}
	}
	if srv.Stats().Exchanges != 0 {
		t.Fatal("a refused command line sent requests")
	}
	r := runCLI(t, cliOpts{env: env}, "conform", "--base-url", srv.URL(), "--force", "--max-requests", "40",
		"--header", "X-Gateway-Key: "+secret, "-o", "json")
	if r.code != exitOK || strings.Contains(r.stdout+r.stderr, secret) || !strings.Contains(r.stdout, "X-Gateway-Key: …") {
		t.Fatalf("%+v", r)
	}
}

// TestConformSkipsV1WithAServiceAccount: service accounts work with v2 only,
// so a run over both versions exercises v2 and says v1.0 is left out; the
// skip follows the refusal's sentinel, whatever its words.
func TestConformSkipsV1WithAServiceAccount(t *testing.T) {
	var stderr strings.Builder
	vars := map[string]string{atlas.EnvClientID: "mdb_sa_id_0123", atlas.EnvClientSecret: "mdb_sa_sk_secret", atlas.EnvOrgID: createTestOrg}
	dir := t.TempDir()
	e := &env{stderr: &stderr, getenv: func(k string) string { return vars[k] }, userConfigDir: func() (string, error) { return dir, nil }}
	o := &conformOptions{flags: clientFlags{baseURL: "http://127.0.0.1:1/", timeout: time.Minute}, maxRequests: 1, total: time.Minute}
	opts, _, closeClients, err := o.validate(e, false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeClients()
	if _, v2 := opts.Clients["/api/atlas/v2"]; !v2 || len(opts.Clients) != 1 {
		t.Errorf("clients for %v, want v2 alone", opts.Clients)
	}
	if !strings.Contains(stderr.String(), "v1.0 is not exercised") {
		t.Errorf("stderr %q does not say v1.0 is left out", stderr.String())
	}
}
