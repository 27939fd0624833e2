package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// The Atlas CLI's own config formats, and what the command makes of them:
// which host a profile's credentials go to, how a profile name is matched,
// and what a profile that holds no usable key tells the user to do.

// TestProfileServicePicksTheHost: a "cloudgov" profile's credentials go to
// Atlas for Government unless a service root is set, as in the Atlas CLI.
// The client is built, not called: no request leaves loopback.
func TestProfileServicePicksTheHost(t *testing.T) {
	writeAtlasConfig(t, "[gov]\n  org_id = '"+orgDev+"'\n  public_api_key = 'abcdefgh'\n  private_api_key = 'gov-private-key'\n  service = 'cloudgov'\n\n"+
		"[govself]\n  public_api_key = 'abcdefgh'\n  private_api_key = 'gov-private-key'\n  service = 'cloudgov'\n  ops_manager_url = 'https://atlas.example/'\n\n"+
		"[govsa]\n  client_id = 'mdb_sa_id_gov'\n  client_secret = 'mdb_sa_sk_gov'\n  service = 'cloudgov'\n\n"+
		"[onprem]\n  public_api_key = 'abcdefgh'\n  private_api_key = 'gov-private-key'\n  service = 'ops-manager'\n")
	tests := []struct {
		name    string
		profile string
		env     map[string]string
		flag    string
		want    string
		wantErr string
	}{
		{name: "cloudgov", profile: "gov", want: atlas.GovBaseURL},
		{name: "cloudgov with its own root", profile: "govself", want: "https://atlas.example/"},
		{name: "the environment's root beats the profile's service", profile: "gov", env: map[string]string{atlas.EnvBaseURL: "https://env.example/"}, want: "https://env.example/"},
		{name: "--base-url beats everything", profile: "gov", flag: "https://flag.example/", want: "https://flag.example/"},
		{name: "MONGODB_ATLAS_SERVICE without a profile", env: map[string]string{atlas.EnvService: "cloudgov",
			atlas.EnvPublicAPIKey: "abcdefgh", atlas.EnvPrivateAPIKey: "private"}, want: atlas.GovBaseURL},
		// A cloudgov profile's credentials never go to commercial Atlas,
		// whatever else says to: a MONGODB_ATLAS_SERVICE=cloud left in the
		// shell would otherwise take them there.
		{name: "the environment's service cloud with a cloudgov profile's key", profile: "gov", env: map[string]string{atlas.EnvService: "cloud"},
			wantErr: `refusing to send the credentials of profile "gov" in `},
		{name: "the environment's service cloud with a cloudgov profile's service account", profile: "govsa", env: map[string]string{atlas.EnvService: "cloud"},
			wantErr: `refusing to send the credentials of profile "govsa" in `},
		{name: "a commercial root with a cloudgov profile's key", profile: "gov", flag: "https://CLOUD.mongodb.com:443/",
			wantErr: `(service "cloudgov") to commercial Atlas`},
		{name: "the environment's own key goes where the environment says", profile: "gov", env: map[string]string{atlas.EnvService: "cloud",
			atlas.EnvPublicAPIKey: "abcdefgh", atlas.EnvPrivateAPIKey: "private"}, want: atlas.DefaultBaseURL},
		{name: "a service it does not know", profile: "onprem",
			wantErr: `MONGODB_ATLAS_SERVICE "ops-manager": unknown service: want "cloud" or "cloudgov" (or set MONGODB_ATLAS_OPS_MANAGER_URL to the service root) (the service came from profile "onprem" in `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{stdout: new(strings.Builder), stderr: new(strings.Builder), getenv: func(k string) string { return tt.env[k] }, userConfigDir: os.UserConfigDir}
			f := &clientFlags{profile: tt.profile, baseURL: tt.flag, apiVersion: "v2", timeout: time.Minute}
			c, err := f.client(e)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.BaseURL(), tt.want) {
				t.Errorf("BaseURL %q, want it under %q", c.BaseURL(), tt.want)
			}
		})
	}
}

// TestProfileNamesIgnoreCase: the Atlas CLI lower-cases the profile name it
// is given and the names in its config, so -P Dev finds [dev].
func TestProfileNamesIgnoreCase(t *testing.T) {
	srv := testatlas.NewServer(t)
	path := writeAtlasConfig(t, profileTable("dev", srv, orgDev)+profileTable("Prod", srv, orgDefault))
	for _, tt := range []struct {
		args []string
		env  map[string]string
		org  string
	}{
		{args: []string{"-P", "Dev"}, org: orgDev},
		{args: []string{"-P", "DEV"}, org: orgDev},
		{args: []string{"-P", "prod"}, org: orgDefault},
		{env: map[string]string{envProfile: "Dev"}, org: orgDev},
	} {
		r := runCLI(t, cliOpts{env: tt.env, userConfigDir: os.UserConfigDir}, append([]string{"create"}, tt.args...)...)
		if _, ok := srv.LinkToken(tt.org); r.code != exitOK || !ok {
			t.Errorf("%v %v: %+v", tt.args, tt.env, r)
		}
	}

	writeAtlasConfig(t, profileTable("dev", srv, orgDev)+profileTable("DEV", srv, orgDefault))
	r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir}, "create", "-P", "dev")
	if want := "holds profiles DEV and dev, which the Atlas CLI does not tell apart (it ignores case): rename one"; r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("two profiles differing in case: %+v\nwant %q (%s)", r, want, path)
	}
}

// TestProfilesWithoutUsableKeysSayWhatToDo: the Atlas CLI keeps a profile's
// keys in the OS keyring when it can (config version 2: auth_type set, the
// keys gone from the file), and "atlas auth login" leaves a user's tokens,
// which only it can refresh. Each gets a message that says where the keys
// are and what to set, not "use an Atlas CLI profile".
func TestProfilesWithoutUsableKeysSayWhatToDo(t *testing.T) {
	srv := testatlas.NewServer(t)
	path := writeAtlasConfig(t, "version = 2\n\n"+
		"[dev]\n  auth_type = 'api_keys'\n  org_id = '"+orgDev+"'\n  ops_manager_url = '"+srv.URL()+"/'\n  service = 'cloud'\n\n"+
		"[sa]\n  auth_type = 'service_account'\n  org_id = '"+orgDev+"'\n\n"+
		"[me]\n  auth_type = 'user_account'\n  org_id = '"+orgDev+"'\n\n"+
		"[oldlogin]\n  access_token = 'a-user-access-token'\n  refresh_token = 'a-user-refresh-token'\n  org_id = '"+orgDev+"'\n\n"+
		"[plain]\n  auth_type = 'api_keys'\n  org_id = '"+orgDev+"'\n  public_api_key = '"+srv.PublicKey()+"'\n  private_api_key = '"+srv.PrivateKey()+"'\n  ops_manager_url = '"+srv.URL()+"/'\n\n"+
		"[empty]\n  org_id = '"+orgDev+"'\n")
	tests := []struct {
		profile string
		want    []string
	}{
		{"dev", []string{`no credentials: profile "dev" in ` + path + ` keeps its API key in the operating system's keyring (service "atlascli_dev"), which linktoken does not read: ` +
			"set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (the profile's other settings still apply)"}},
		{"sa", []string{`keeps its service account in the operating system's keyring (service "atlascli_sa")`, "set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET"}},
		{"me", []string{`profile "me" in ` + path + ` logs in as a user (atlas auth login), whose tokens only the Atlas CLI can use: ` +
			"create an API key with the Organization Owner role and set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY, or a service account and set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET"}},
		{"oldlogin", []string{`profile "oldlogin" in ` + path + ` logs in as a user`}},
		{"empty", []string{`profile "empty" in ` + path + ` has none: set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (API key) or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (service account), or run "atlas config init"`}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir}, "create", "-P", tt.profile)
			if r.code != exitUsage {
				t.Fatalf("exit %d: %+v", r.code, r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stderr, "use an Atlas CLI profile") || strings.Contains(r.stderr, "a-user-") {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
	// Doing what the message says works: the keys from the environment,
	// everything else (org, service root) from the profile.
	r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: map[string]string{atlas.EnvPublicAPIKey: srv.PublicKey(), atlas.EnvPrivateAPIKey: srv.PrivateKey()}}, "create", "-P", "dev")
	if _, ok := srv.LinkToken(orgDev); r.code != exitOK || !ok {
		t.Errorf("keys from the environment, the rest from the keyring profile: %+v", r)
	}
	// A version-2 profile whose keys stayed in the file (no keyring) works as before.
	r = runCLI(t, cliOpts{userConfigDir: os.UserConfigDir}, "delete", "--force", "-P", "plain")
	if r.code != exitOK {
		t.Errorf("keys in the file: %+v", r)
	}
}

// TestUnreadableConfigStopsOnlyRunsThatNeedIt: a broken config.toml does
// not stop a run whose settings all come from flags and the environment
// (it is named in a warning); a run that needs the default profile fails
// naming the file and the line; a profile asked for by name must be read.
func TestUnreadableConfigStopsOnlyRunsThatNeedIt(t *testing.T) {
	srv := testatlas.NewServer(t)
	const secret = "private-key-on-a-broken-line"
	path := writeAtlasConfig(t, "[default]\n  org_id = '"+orgDefault+"'\n  private_api_key = '"+secret+"\n")
	where := path + ": line 3, column"

	r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: createEnv(srv)}, "create")
	if r.code != exitOK || !strings.Contains(r.stderr, "warning: Atlas CLI default profile not read ("+where) {
		t.Errorf("everything from the environment: %+v", r)
	}
	env := createEnv(srv)
	delete(env, atlas.EnvOrgID)
	r = runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: env}, "delete", "--force", "--orgId", createTestOrg)
	if r.code != exitOK {
		t.Errorf("the org from the flag: %+v", r)
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"the org from the profile", env, nil, "--orgId would come from the Atlas CLI's default profile, which cannot be read: " + where},
		{"the credentials from the profile", map[string]string{atlas.EnvOrgID: orgDefault}, nil, "the credentials would come from the Atlas CLI's default profile, which cannot be read: " + where},
		{"the profile named", createEnv(srv), []string{"-P", "default"}, "--profile default: " + where},
	} {
		r := runCLI(t, cliOpts{userConfigDir: os.UserConfigDir, env: tt.env}, append([]string{"create"}, tt.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: %+v\nwant %q", tt.name, r, tt.want)
		}
	}
	if strings.Contains(r.stderr, secret) {
		t.Errorf("the broken line, and its key, were printed: %q", r.stderr)
	}
}

// TestMessagesSpeakCLI: a message names the flags and variables a command
// user has, never a Go option of the library under it.
func TestMessagesSpeakCLI(t *testing.T) {
	r := runCLI(t, cliOpts{env: map[string]string{atlas.EnvClientID: "mdb_sa_id_0123", atlas.EnvClientSecret: "mdb_sa_sk_secret", atlas.EnvOrgID: orgDev}},
		"create", "--api-version", "v1.0")
	want := "--api-version v1.0: service accounts work with v2 only, and service account mdb_sa_id_0123 (client id, from $MONGODB_ATLAS_CLIENT_ID) is what is set: " +
		"set MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (an API key) for v1.0, or use v2"
	if r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("%+v\nwant %q", r, want)
	}
	for _, goSpeak := range []string{"WithDigest", "WithServiceAccount", "NewClient", "mdb_sa_sk_secret"} {
		if strings.Contains(r.stderr, goSpeak) {
			t.Errorf("stderr %q names %s", r.stderr, goSpeak)
		}
	}
}
