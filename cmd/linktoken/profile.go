package main

import (
	"errors"
	"fmt"
	"io/fs"
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
// init" writes it: the settings create and delete can use. Its keys are
// never printed (String says where they came from instead).
type atlasProfile struct {
	name, path string
	values     map[string]string // by Atlas CLI key: public_api_key, org_id, …
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
}

// credentialVars are the variables that make up credentials: a profile's
// credentials are used only when the environment sets none of them, so a
// key pair (or a service account) always comes whole from one place.
var credentialVars = []string{atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey, atlas.EnvClientID, atlas.EnvClientSecret}

func (p *atlasProfile) String() string { return fmt.Sprintf("profile %q in %s", p.name, p.path) }

// loadProfile reads the profile named by --profile, else by
// MONGODB_ATLAS_PROFILE, else "default". A profile asked for by name must
// exist; the default one may be missing (nil, nil), as it is for anyone who
// never ran "atlas config init".
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
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil, nil
	}
	if err != nil {
		return nil, usageError("%s %s: reading the Atlas CLI's config: %v", via, name, unwrapPathError(err))
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		// DecodeError's String() quotes the offending line, which may hold
		// a key: only its position and message are shown.
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, usageError("%s: line %d, column %d: %s", path, line, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, usageError("%s: not TOML", path)
	}
	table, ok := doc[name].(map[string]any)
	if !ok {
		if !named {
			return nil, nil
		}
		return nil, usageError("%s %s: no such profile in %s (it has %s)", via, name, path, profileNames(doc))
	}
	p := &atlasProfile{name: name, path: path, values: map[string]string{}}
	for key := range profileKeys {
		v, present := table[key]
		if !present {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, usageError("%s: %s: want a string", p, key) // the value is not shown: it may be a key
		}
		p.values[key] = s
	}
	return p, nil
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
	envHasCredentials := slices.ContainsFunc(credentialVars, func(k string) bool { return e.getenv(k) != "" })
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
