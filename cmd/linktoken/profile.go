package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// The Atlas CLI's profile settings: where its config file lives under the
// user's config directory, and the variable that picks a profile.
const (
	atlasConfigFile = "atlascli/config.toml"
	envProfile      = "MONGODB_ATLAS_PROFILE"
	defaultProfile  = "default"
)

// atlasProfile is one table of the Atlas CLI's config file, as "atlas config
// init" or "atlas auth login" writes it: the settings create and delete can
// use. Its keys are never printed (String says where they came from).
type atlasProfile struct {
	name, path string
	values     map[string]string // by Atlas CLI key: public_api_key, org_id, …
	// authType is the Atlas CLI's auth_type (config version 2): api_keys,
	// service_account or user_account.
	authType string
	// unreadable is why the default profile could not be read; it is used
	// only if a setting has to come from it (see need).
	unreadable error
	warned     bool // the unreadable profile was reported (conform builds two clients)
}

// profileKeys maps each Atlas CLI key this command reads to the
// environment variable that stands for it, so a profile is one more layer
// under the environment.
var profileKeys = map[string]string{
	"public_api_key":  atlas.EnvPublicAPIKey,
	"private_api_key": atlas.EnvPrivateAPIKey,
	"client_id":       atlas.EnvClientID,
	"client_secret":   atlas.EnvClientSecret,
	"org_id":          atlas.EnvOrgID,
	"ops_manager_url": atlas.EnvBaseURL,
	"service":         atlas.EnvService,
}

// userAccountKeys are where "atlas auth login" keeps a user's login: tokens
// of the Atlas CLI's own OAuth client, which this command cannot refresh.
var userAccountKeys = []string{"access_token", "refresh_token"}

// credentialVars are the variables that make up credentials: a profile's
// credentials are used only when the environment sets none of them, so a
// key pair (or a service account) always comes whole from one place.
var credentialVars = []string{atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey, atlas.EnvClientID, atlas.EnvClientSecret}

func (p *atlasProfile) String() string { return fmt.Sprintf("profile %q in %s", p.name, p.path) }

// loadProfile reads the profile named by --profile, else by
// MONGODB_ATLAS_PROFILE, else "default". A profile asked for by name must
// exist and be readable; the default one may be missing (nil, nil), as it
// is for anyone who never ran "atlas config init", and a config file that
// cannot be read stops a run only if a setting has to come from it.
// Profile names are matched as the Atlas CLI matches them: it lower-cases
// the name it is given and the config's table and key names.
func loadProfile(e *env, flagName string) (*atlasProfile, error) {
	name, named := flagName, flagName != ""
	via := "--profile"
	if !named {
		if name = e.getenv(envProfile); name != "" {
			named, via = true, envProfile
		} else {
			name = defaultProfile
		}
	}
	dir, err := e.userConfigDir()
	if err != nil {
		if named {
			return nil, usageError("%s %s: no user config directory to find the Atlas CLI's config in: %v", via, name, err)
		}
		return nil, nil
	}
	path := filepath.Join(dir, filepath.FromSlash(atlasConfigFile))
	p := &atlasProfile{name: name, path: path, values: map[string]string{}}
	unreadable := func(err error) (*atlasProfile, error) {
		if named {
			return nil, usageError("%s %s: %w", via, name, err)
		}
		p.unreadable = err
		return p, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !named {
			return nil, nil
		}
		return nil, usageError("%s %s: there is no Atlas CLI config at %s (\"atlas config init\" writes it)", via, name, path)
	}
	if err != nil {
		return unreadable(fmt.Errorf("reading the Atlas CLI's config %s: %v", path, unwrapPathError(err)))
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		// DecodeError's String() quotes the offending line, which may hold
		// a key: only its position and message are shown.
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return unreadable(fmt.Errorf("%s: line %d, column %d: %s", path, line, col, strings.TrimPrefix(de.Error(), "toml: ")))
		}
		return unreadable(fmt.Errorf("%s: not TOML", path))
	}
	var tables []string
	var table map[string]any
	for k, v := range doc {
		if t, ok := v.(map[string]any); ok && strings.EqualFold(k, name) {
			tables, table = append(tables, k), t
		}
	}
	switch {
	case len(tables) > 1:
		slices.Sort(tables)
		return unreadable(fmt.Errorf("%s holds profiles %s, which the Atlas CLI does not tell apart (it ignores case): rename one", path, strings.Join(tables, " and ")))
	case table == nil && named:
		return nil, usageError("%s %s: no such profile in %s (it has %s)", via, name, path, profileNames(doc))
	case table == nil:
		return nil, nil
	}
	p.name = tables[0]
	for key, v := range table {
		key = strings.ToLower(key)
		_, wanted := profileKeys[key]
		if !wanted && key != "auth_type" && !slices.Contains(userAccountKeys, key) {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return unreadable(fmt.Errorf("%s: %s: want a string", p, key)) // the value is not shown: it may be a key
		}
		if key == "auth_type" {
			p.authType = s
		} else {
			p.values[key] = s
		}
	}
	return p, nil
}

// need reports the profile's unreadable config, if any, when setting (in
// words) has to come from it: a config the run can do without stops nothing.
func (p *atlasProfile) need(setting string) error {
	if p == nil || p.unreadable == nil {
		return nil
	}
	return usageError("%s would come from the Atlas CLI's default profile, which cannot be read: %v", setting, p.unreadable)
}

// warnUnread tells the user, once, that the default profile was skipped.
func (p *atlasProfile) warnUnread(e *env) {
	if p != nil && p.unreadable != nil && !p.warned {
		p.warned = true
		fmt.Fprintf(e.stderr, "warning: Atlas CLI default profile not read (%v); every setting came from flags and the environment\n", p.unreadable)
	}
}

// noCredentials says why the profile gave no credentials and what to do,
// for the message that follows "no credentials".
func (p *atlasProfile) noCredentials() string {
	envKeys := fmt.Sprintf("%s and %s", atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey)
	envSA := fmt.Sprintf("%s and %s", atlas.EnvClientID, atlas.EnvClientSecret)
	inFile := func(keys ...string) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return p.values[k] != "" })
	}
	switch {
	case p.authType == "user_account" || inFile(userAccountKeys...):
		return fmt.Sprintf("%s logs in as a user (atlas auth login), whose tokens only the Atlas CLI can use: "+
			"create an API key with the Organization Owner role and set %s, or a service account and set %s", p, envKeys, envSA)
	case p.authType == "api_keys" && !inFile("public_api_key", "private_api_key"):
		return fmt.Sprintf("%s keeps its API key in the operating system's keyring (service %q), which linktoken does not read: "+
			"set %s (the profile's other settings still apply)", p, "atlascli_"+p.name, envKeys)
	case p.authType == "service_account" && !inFile("client_id", "client_secret"):
		return fmt.Sprintf("%s keeps its service account in the operating system's keyring (service %q), which linktoken does not read: "+
			"set %s (the profile's other settings still apply)", p, "atlascli_"+p.name, envSA)
	}
	return fmt.Sprintf("%s has none: set %s (API key) or %s (service account), or run \"atlas config init\"", p, envKeys, envSA)
}

// profileNames lists the config file's profiles: its tables.
func profileNames(doc map[string]any) string {
	var names []string
	for k, v := range doc {
		if _, ok := v.(map[string]any); ok {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "no profile"
	}
	slices.Sort(names)
	return "profiles " + strings.Join(names, ", ")
}

// layered is the environment with the profile under it: a variable the
// environment leaves unset is read from the profile, except that the
// profile's credentials are used only when the environment has none.
func layered(e *env, p *atlasProfile) func(string) string {
	if p == nil {
		return e.getenv
	}
	envHasCredentials := envCredentials(e)
	return func(name string) string {
		if v := e.getenv(name); v != "" {
			return v
		}
		if envHasCredentials && slices.Contains(credentialVars, name) {
			return ""
		}
		for key, variable := range profileKeys {
			if variable == name {
				return p.values[key]
			}
		}
		return ""
	}
}

// envCredentials reports whether the environment sets any credential, in
// which case none comes from a profile.
func envCredentials(e *env) bool {
	return slices.ContainsFunc(credentialVars, func(k string) bool { return e.getenv(k) != "" })
}

// keepGovCredentials refuses to send the credentials of a "cloudgov"
// profile to commercial Atlas (baseURL is where the client goes), whatever
// says to go there: the environment beats the profile, so a
// MONGODB_ATLAS_SERVICE=cloud left in the shell, or a root or flag naming
// the commercial host, would otherwise hand a government key or client
// secret to a service that has no use for it.
func (p *atlasProfile) keepGovCredentials(e *env, baseURL string) error {
	if p == nil || p.values["service"] != "cloudgov" || envCredentials(e) {
		return nil
	}
	commercial, _ := url.Parse(atlas.DefaultBaseURL)
	if u, err := url.Parse(baseURL); err != nil || !strings.EqualFold(u.Hostname(), commercial.Hostname()) {
		return nil
	}
	return usageError("refusing to send the credentials of %s (service %q) to commercial Atlas %s: "+
		"unset %s and %s, drop --base-url, or use a profile of commercial Atlas", p, "cloudgov", baseURL, atlas.EnvService, atlas.EnvBaseURL)
}

// settingSource says where the value getenv returns for name comes from, in
// words for messages: the variable, or the profile.
func settingSource(e *env, p *atlasProfile, name string) string {
	if e.getenv(name) != "" || p == nil {
		return "$" + name
	}
	return p.String()
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
