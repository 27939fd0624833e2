package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

const createTestOrg = "4888442a3354817a7320eb61"

// createEnv is the Atlas CLI environment pointing at srv.
func createEnv(srv *atlastest.Server) map[string]string {
	return map[string]string{
		atlas.EnvPublicAPIKey:  srv.PublicKey(),
		atlas.EnvPrivateAPIKey: srv.PrivateKey(),
		atlas.EnvBaseURL:       srv.URL(),
		atlas.EnvOrgID:         createTestOrg,
	}
}

func TestCreatePrintsTheTokenLikeTheAtlasCLI(t *testing.T) {
	srv := testatlas.NewServer(t)
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "create", "--accessListIp", "192.0.2.10, 10.0.0.0/24")
	tok, ok := srv.LinkToken(createTestOrg)
	if r.code != exitOK || !ok {
		t.Fatalf("got %+v", r)
	}
	if want := "Link-token '" + tok + "' successfully created.\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	content, err := atlastest.DecodeLinkToken(tok)
	if err != nil || len(content.AccessListIPs) != 2 || content.AccessListIPs[1] != "10.0.0.0/24" {
		t.Errorf("token content %+v, %v", content, err)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestCreateJSONOutput(t *testing.T) {
	srv := testatlas.NewServer(t)
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "create", "-o", "json", "--api-version", "v1.0")
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	var out struct {
		LinkToken string `json:"linkToken"`
	}
	tok, _ := srv.LinkToken(createTestOrg)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.LinkToken != tok {
		t.Errorf("stdout %q: %v", r.stdout, err)
	}
}

// TestCreateTextOutputEscapesWhatATerminalWouldActOn: a real link-token is
// base64, but the command prints what the service answered; a token with
// control characters (ESC starts an ANSI sequence) or line separators, from
// a faulty or hostile server, is shown escaped, so it can neither drive the
// terminal nor forge output lines. -o json escapes it as JSON does.
func TestCreateTextOutputEscapesWhatATerminalWouldActOn(t *testing.T) {
	srv := testatlas.NewServer(t)
	// Primes the digest challenge, so the fault answers the create itself.
	if r := runCLI(t, cliOpts{env: createEnv(srv)}, "create"); r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	srv.InjectFault(1, atlastest.Fault{Status: 201, ContentType: "application/json",
		Body: `{"linkToken":"ZXlK\u001b]0;pwned\u0007\u001b[2J\nLink-token 'forged' successfully created.\u2028"}`})
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "create")
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	want := `Link-token 'ZXlK\x1b]0;pwned\a\x1b[2J\nLink-token 'forged' successfully created.\u2028' successfully created.` + "\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "shown escaped") {
		t.Errorf("stderr %q does not say the token was shown escaped", r.stderr)
	}
}

func TestCreateFlagsBeatTheEnvironment(t *testing.T) {
	srv := testatlas.NewServer(t)
	env := createEnv(srv)
	env[atlas.EnvOrgID] = "not-an-org"
	env[atlas.EnvBaseURL] = "http://127.0.0.1:1/"
	other := "5888442a3354817a7320eb61"
	r := runCLI(t, cliOpts{env: env}, "create", "--orgId", other, "--base-url", srv.URL())
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if _, ok := srv.LinkToken(other); !ok {
		t.Error("the flag's organization got no link")
	}
}

func TestCreateErrorPaths(t *testing.T) {
	srv := testatlas.NewServer(t)
	member := atlastest.APIKey{Public: "memberky", Private: "member-private-key-value", OrgOwner: false}
	restricted := testatlas.NewServer(t, atlastest.WithAPIKey(member), atlastest.WithAPIKey(atlastest.GenerateAPIKey()))
	good := createEnv(srv)
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"no org", with(atlas.EnvOrgID, ""), nil, exitUsage, []string{"--orgId is required", atlas.EnvOrgID}},
		{"upper-case org", good, []string{"--orgId", strings.ToUpper(createTestOrg)}, exitUsage, []string{"upper-case", createTestOrg, "(from --orgId)"}},
		// A value the person did not type says where it came from.
		{"upper-case org in the environment", with(atlas.EnvOrgID, strings.ToUpper(createTestOrg)), nil, exitUsage,
			[]string{"upper-case", "(from $" + atlas.EnvOrgID + ")"}},
		{"bad address", good, []string{"--accessListIp", "192.0.2.10,10.0.0.1/24"}, exitUsage, []string{"accessListIps[1]", "10.0.0.0/24"}},
		{"bad output", good, []string{"-o", "yaml"}, exitUsage, []string{"yaml"}},
		{"bad version", good, []string{"--api-version", "v3"}, exitUsage, []string{"v3"}},
		{"no credentials", with(atlas.EnvPublicAPIKey, "", atlas.EnvPrivateAPIKey, ""), nil, exitUsage, []string{"no credentials", atlas.EnvPublicAPIKey, atlas.EnvClientSecret}},
		{"half a key", with(atlas.EnvPrivateAPIKey, ""), nil, exitUsage, []string{atlas.EnvPrivateAPIKey}},
		{"API path as base URL", good, []string{"--base-url", srv.URL() + "/api/atlas/v2"}, exitUsage, []string{"service root"}},
		{"unknown flag", good, []string{"--nope"}, exitUsage, []string{"unknown flag"}},
		{"extra argument", good, []string{"extra"}, exitUsage, []string{"unknown command"}},
		{"wrong key", with(atlas.EnvPrivateAPIKey, "wrong-private-key"), nil, exitAPI, []string{"401", "NOT_ORG_GROUP_CREATOR",
			"hint: the service did not accept API key " + srv.PublicKey() + " (public key, from $" + atlas.EnvPublicAPIKey + "): the key may be wrong or revoked, may lack the Organization Owner role",
			"API access list"}},
		{"missing role", with(atlas.EnvPublicAPIKey, member.Public, atlas.EnvPrivateAPIKey, member.Private, atlas.EnvBaseURL, restricted.URL()),
			nil, exitAPI, []string{"403", "USER_UNAUTHORIZED"}},
		{"server down", good, []string{"--base-url", "http://127.0.0.1:1/"}, exitAPI, []string{"connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, cliOpts{env: tt.env}, append([]string{"create"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %+v", r.code, tt.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q on failure", r.stdout)
			}
			for _, secret := range []string{srv.PrivateKey(), member.Private, "wrong-private-key"} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("stderr leaks a private key: %q", r.stderr)
				}
			}
		})
	}
}

func TestCreateTimeoutIsNotRepeated(t *testing.T) {
	srv := testatlas.NewServer(t)
	srv.InjectFault(1, atlastest.Fault{Latency: 5 * time.Second})
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "create", "--timeout", "1s")
	if r.code != exitAPI || !strings.Contains(r.stderr, "no answer within --timeout 1s") {
		t.Fatalf("got %+v", r)
	}
	if strings.Contains(r.stderr, "retrying") {
		t.Errorf("a timed-out create was retried: %q", r.stderr)
	}
	if r := runCLI(t, cliOpts{env: createEnv(srv)}, "create", "--timeout", "0s"); r.code != exitUsage {
		t.Errorf("--timeout 0s: %+v", r)
	}
}

func TestCreateAPIErrorShowsStatusAndCode(t *testing.T) {
	srv := testatlas.NewServer(t)
	srv.InjectFault(1, atlastest.Fault{Status: 500})
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "create")
	if r.code != exitAPI || !strings.Contains(r.stderr, "500") || !strings.Contains(r.stderr, atlastest.CodeUnexpected) {
		t.Fatalf("got %+v", r)
	}
	if srv.Stats().Count(atlastest.OpCreateLinkToken, 500) != 1 {
		t.Errorf("a create that got a 500 was repeated: %+v", srv.Stats().Requests)
	}
}
