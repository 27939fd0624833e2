package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

const (
	orgDefault = "4888442a3354817a7320eb61"
	orgDev     = "5888442a3354817a7320eb62"
	orgEnv     = "6888442a3354817a7320eb63"
	orgFlag    = "7888442a3354817a7320eb64"
)

// writeAtlasConfig writes the Atlas CLI's config.toml under a fresh config
// home and points XDG_CONFIG_HOME and HOME there, so os.UserConfigDir finds
// it as it would on a user's machine.
func writeAtlasConfig(t *testing.T, content string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("HOME", home)
	t.Setenv("AppData", filepath.Join(home, "AppData")) // Windows
	dir, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "atlascli", "config.toml")
	if content != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func profileTable(name string, srv *atlastest.Server, org string) string {
	return "[" + name + "]\n" +
		"  org_id = '" + org + "'\n" +
		"  ops_manager_url = '" + srv.URL() + "/'\n" +
		"  private_api_key = '" + srv.PrivateKey() + "'\n" +
		"  public_api_key = '" + srv.PublicKey() + "'\n" +
		"  service = 'cloud'\n  output = 'json'\n\n"
}

// TestProfilePrecedence: flags, then the environment, then the profile
// (picked by --profile, then MONGODB_ATLAS_PROFILE, then "default"), as the
// Atlas CLI resolves them; a key pair comes whole from one place.
func TestProfilePrecedence(t *testing.T) {
	srvDefault, srvDev := testatlas.NewServer(t), testatlas.NewServer(t)
	path := writeAtlasConfig(t, "skip_update_check = true\ntelemetry_enabled = false\n\n"+
		profileTable("default", srvDefault, orgDefault)+profileTable("dev", srvDev, orgDev)+
		"[typo]\n  org_id = 42\n  private_api_key = '"+srvDev.PrivateKey()+"'\n")

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		srv  *atlastest.Server // where the link must now exist
		org  string
		want []string // in stderr
	}{
		{name: "default profile", srv: srvDefault, org: orgDefault},
		{name: "--profile", args: []string{"--profile", "dev"}, srv: srvDev, org: orgDev},
		{name: "-P", args: []string{"-P", "dev"}, srv: srvDev, org: orgDev},
		{name: "MONGODB_ATLAS_PROFILE", env: map[string]string{envProfile: "dev"}, srv: srvDev, org: orgDev},
		{name: "flag beats MONGODB_ATLAS_PROFILE", env: map[string]string{envProfile: "dev"}, args: []string{"-P", "default"}, srv: srvDefault, org: orgDefault},
		{name: "environment beats profile", env: map[string]string{atlas.EnvOrgID: orgEnv}, args: []string{"-P", "dev"}, srv: srvDev, org: orgEnv},
		{name: "flag beats environment", env: map[string]string{atlas.EnvOrgID: orgEnv}, args: []string{"-P", "dev", "--orgId", orgFlag}, srv: srvDev, org: orgFlag},
		{name: "kebab-case alias", args: []string{"-P", "dev", "--org-id", orgFlag}, srv: srvDev, org: orgFlag},
		{name: "--base-url beats the profile's", args: []string{"-P", "dev", "--base-url", srvDefault.URL()},
			code: exitAPI, want: []string{"401", "hint: the service did not accept API key " + srvDev.PublicKey() + ` (public key, from profile "dev" in ` + path + ")",
				"wrong or revoked", "Organization Owner", "API access list"}},
		{name: "environment keys beat the profile's, whole", args: []string{"-P", "dev"},
			env:  map[string]string{atlas.EnvPublicAPIKey: srvDefault.PublicKey(), atlas.EnvPrivateAPIKey: srvDefault.PrivateKey()},
			code: exitAPI, want: []string{"401", "API key " + srvDefault.PublicKey() + " (public key, from $" + atlas.EnvPublicAPIKey + ")"}},
		{name: "half a pair in the environment is not completed from the profile", args: []string{"-P", "dev"},
			env:  map[string]string{atlas.EnvPublicAPIKey: srvDev.PublicKey()},
			code: exitUsage, want: []string{"set both " + atlas.EnvPublicAPIKey + " and " + atlas.EnvPrivateAPIKey}},
		{name: "unknown profile", args: []string{"-P", "prod"}, code: exitUsage,
			want: []string{"--profile prod: no such profile in " + path + " (it has profiles default, dev, typo)"}},
		{name: "unknown profile from the environment", env: map[string]string{envProfile: "prod"}, code: exitUsage,
			want: []string{envProfile + " prod: no such profile"}},
		{name: "a value of the wrong type", args: []string{"-P", "typo"}, code: exitUsage,
			want: []string{`profile "typo" in ` + path + ": org_id: want a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, cliOpts{env: tt.env, userConfigDir: os.UserConfigDir}, append([]string{"create"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %+v", r.code, tt.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if tt.srv != nil {
				if _, ok := tt.srv.LinkToken(tt.org); !ok {
					t.Errorf("no link for %s on the expected server: %+v", tt.org, r)
				}
			}
			for _, secret := range []string{srvDefault.PrivateKey(), srvDev.PrivateKey()} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("a private key from the profile was printed: %+v", r)
				}
			}
		})
	}
}

func TestProfileFileProblems(t *testing.T) {
	srv := testatlas.NewServer(t)
	t.Run("no config file: only a named profile is missed", func(t *testing.T) {
		path := writeAtlasConfig(t, "")
		r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir}, "create")
		if r.code != exitUsage || !strings.Contains(r.stderr, "--orgId is required (or set "+atlas.EnvOrgID+", or org_id in an Atlas CLI profile)") {
			t.Errorf("%+v", r)
		}
		r = runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: createEnv(srv)}, "create")
		if r.code != exitOK {
			t.Errorf("the environment alone, without a config file: %+v", r)
		}
		r = runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: createEnv(srv)}, "create", "-P", "dev")
		if want := "--profile dev: there is no Atlas CLI config at " + path + ` ("atlas config init" writes it)`; r.code != exitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("a named profile without a config file: %+v\nwant %q", r, want)
		}
	})
	t.Run("not TOML", func(t *testing.T) {
		const secret = "private-key-on-a-broken-line"
		path := writeAtlasConfig(t, "[default]\n  org_id = '"+orgDefault+"'\n  private_api_key = '"+secret+"\n")
		r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir}, "create")
		if r.code != exitUsage || !strings.Contains(r.stderr, path+": line 3, column") {
			t.Errorf("%+v", r)
		}
		if strings.Contains(r.stderr, secret) {
			t.Errorf("the broken line, and its key, were printed: %q", r.stderr)
		}
	})
}
