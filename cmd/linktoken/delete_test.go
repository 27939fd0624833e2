package main

import (
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// deleteLinked returns a server on which createTestOrg has a link.
func deleteLinked(t *testing.T) *atlastest.Server {
	t.Helper()
	srv := testatlas.NewServer(t)
	if r := runCLI(t, cliOpts{env: createEnv(srv)}, "create"); r.code != exitOK {
		t.Fatalf("setup create: %+v", r)
	}
	return srv
}

func TestDeleteWithForce(t *testing.T) {
	srv := deleteLinked(t)
	tok, _ := srv.LinkToken(createTestOrg)
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "delete", "--force")
	if r.code != exitOK || r.stdout != "Link-token deleted\n" {
		t.Fatalf("got %+v", r)
	}
	if _, ok := srv.LinkToken(createTestOrg); ok {
		t.Error("the link is still there")
	}
	if strings.Contains(r.stdout+r.stderr, tok) {
		t.Error("delete printed the token")
	}
}

func TestDeleteAsksOnATerminal(t *testing.T) {
	tests := []struct {
		answer  string
		removed bool
	}{
		{"y\n", true}, {"YES\n", true}, {"n\n", false}, {"\n", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.answer), func(t *testing.T) {
			srv := deleteLinked(t)
			r := runCLI(t, cliOpts{env: createEnv(srv), terminal: true, stdin: tt.answer}, "delete")
			if r.code != exitOK {
				t.Fatalf("got %+v", r)
			}
			if !strings.Contains(r.stderr, "Are you sure") || !strings.Contains(r.stderr, createTestOrg) {
				t.Errorf("prompt %q does not name the organization", r.stderr)
			}
			_, linked := srv.LinkToken(createTestOrg)
			if linked == tt.removed {
				t.Errorf("answer %q: link still there = %v", tt.answer, linked)
			}
			if !tt.removed && !strings.Contains(r.stderr, "Nothing deleted") {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
}

func TestDeleteErrorPaths(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*atlastest.Server)
		opts  cliOpts
		args  []string
		code  int
		want  []string
	}{
		{name: "not a terminal without --force", args: []string{}, code: exitUsage, want: []string{"--force", "not a terminal", createTestOrg}},
		{name: "no link", setup: func(*atlastest.Server) {}, args: []string{"--force"}, code: exitAPI, want: []string{"404", "UNEXPECTED_ERROR"}},
		{name: "active migration", setup: func(s *atlastest.Server) { s.SetMigrationActive(createTestOrg, true) }, args: []string{"--force"},
			code: exitAPI, want: []string{"409", "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"}},
		{name: "bad org", args: []string{"--force", "--orgId", "123"}, code: exitUsage, want: []string{"3 characters"}},
		{name: "bad version", args: []string{"--force", "--api-version", "v9"}, code: exitUsage, want: []string{"v9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *atlastest.Server
			if tt.setup != nil {
				srv = testatlas.NewServer(t)
				tt.setup(srv)
			} else {
				srv = deleteLinked(t)
			}
			o := tt.opts
			o.env = createEnv(srv)
			r := runCLI(t, o, append([]string{"delete"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %+v", r.code, tt.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stderr, srv.PrivateKey()) {
				t.Error("stderr leaks the private key")
			}
		})
	}
}

func TestDeleteRetriesA503(t *testing.T) {
	srv := deleteLinked(t)
	srv.InjectFault(1, atlastest.Fault{Status: 503})
	r := runCLI(t, cliOpts{env: createEnv(srv)}, "delete", "--force")
	if r.code != exitOK {
		t.Fatalf("got %+v", r)
	}
	if !strings.Contains(r.stderr, "retrying") || !strings.Contains(r.stderr, "503") {
		t.Errorf("the retry is not reported on stderr: %q", r.stderr)
	}
}

// TestDeleteUnauthorizedNamesTheServiceAccount: the 401 hint names the
// client id (never the secret) and where it came from.
func TestDeleteUnauthorizedNamesTheServiceAccount(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id_0123456789abcdef", "mdb_sa_sk_the-right-secret"))
	const wrong = "mdb_sa_sk_a-revoked-secret"
	r := runCLI(t, cliOpts{env: map[string]string{
		atlas.EnvClientID: "mdb_sa_id_0123456789abcdef", atlas.EnvClientSecret: wrong,
		atlas.EnvBaseURL: srv.URL(), atlas.EnvOrgID: createTestOrg,
	}}, "delete", "--force")
	if r.code != exitAPI {
		t.Fatalf("%+v", r)
	}
	if want := "hint: the service did not accept service account mdb_sa_id_0123456789abcdef (client id, from $" + atlas.EnvClientID + ")"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, wrong) {
		t.Errorf("stderr leaks the client secret: %q", r.stderr)
	}
}
