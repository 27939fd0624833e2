package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/buildinfo"
)

// errServiceAccountV1 refuses API v1.0 when the credentials are a service
// account's; conform skips v1.0 on it rather than fail.
var errServiceAccountV1 = errors.New("service accounts work with v2 only")

// clientFlags are the settings create, delete and conform share: where to go and how
// to authenticate. Flags beat the Atlas CLI's environment variables, which
// beat its profile (as in the Atlas CLI).
type clientFlags struct {
	orgID      string
	baseURL    string
	apiVersion string
	profile    string
	timeout    time.Duration

	// Resolved once per run by resolve.
	resolved bool
	getenv   func(string) string // the environment over the profile
	prof     *atlasProfile       // nil without one
}

// register adds the flags; timeoutHelp says what a timed-out attempt of
// this command means, which differs between create and delete.
func (f *clientFlags) register(cmd *cobra.Command, timeoutHelp string) {
	cmd.Flags().StringVar(&f.orgID, "orgId", "", "organization ID (24 lower-case hex digits); default $"+atlas.EnvOrgID+", else the profile's org_id (alias --org-id)")
	cmd.Flags().StringVar(&f.baseURL, "base-url", "", "service root, like $"+atlas.EnvBaseURL+" (default "+atlas.DefaultBaseURL+"); /api/atlas/<version> is added")
	cmd.Flags().StringVar(&f.apiVersion, "api-version", string(atlas.APIVersionV2), "API version: v2 or v1.0")
	cmd.Flags().StringVarP(&f.profile, "profile", "P", "", "Atlas CLI profile to read settings from (default $"+envProfile+", else \""+defaultProfile+"\")")
	cmd.Flags().DurationVar(&f.timeout, "timeout", time.Minute, "give up on one HTTP attempt after this long; "+timeoutHelp)
}

// resolve reads the profile once and layers the environment over it.
func (f *clientFlags) resolve(e *env) error {
	if f.resolved {
		return nil
	}
	p, err := loadProfile(e, f.profile)
	if err != nil {
		return err
	}
	f.resolved, f.prof, f.getenv = true, p, layered(e, p)
	return nil
}

// org returns the organization from the flag, the environment or the profile.
func (f *clientFlags) org(e *env) (string, error) {
	if err := f.resolve(e); err != nil {
		return "", err
	}
	org, from := f.orgID, "--orgId"
	if org == "" {
		org, from = f.getenv(atlas.EnvOrgID), settingSource(e, f.prof, atlas.EnvOrgID)
	}
	if org == "" {
		if err := f.prof.need("--orgId"); err != nil {
			return "", err
		}
		return "", usageError("--orgId is required (or set %s, or org_id in an Atlas CLI profile)", atlas.EnvOrgID)
	}
	if err := atlas.CheckOrgID(org); err != nil {
		return "", usageError("%w (from %s)", err, from)
	}
	return org, nil
}

// client builds the library client: environment and profile first, flags
// over them. Retries are reported on stderr.
func (f *clientFlags) client(e *env) (*atlas.Client, error) {
	if err := f.resolve(e); err != nil {
		return nil, err
	}
	version, err := atlas.ParseAPIVersion(f.apiVersion)
	if err != nil {
		return nil, usageError("--api-version: %w", err)
	}
	if f.timeout <= 0 {
		return nil, usageError("--timeout %s: want a positive duration", f.timeout)
	}
	getenv := f.getenv
	if f.baseURL != "" { // the flag beats the environment and the profile, service included
		getenv = func(name string) string {
			if name == atlas.EnvBaseURL {
				return f.baseURL
			}
			return f.getenv(name)
		}
	}
	if version == atlas.APIVersionV1 && getenv(atlas.EnvPublicAPIKey) == "" && getenv(atlas.EnvClientID) != "" {
		return nil, usageError("--api-version v1.0: %w, and service account %s (client id, from %s) is what is set: "+
			"set %s and %s (an API key) for v1.0, or use v2", errServiceAccountV1, getenv(atlas.EnvClientID), settingSource(e, f.prof, atlas.EnvClientID),
			atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey)
	}
	opts := []atlas.Option{
		atlas.WithEnv(getenv),
		atlas.WithHTTPClient(&http.Client{Timeout: f.timeout}),
		atlas.WithAPIVersion(version),
		atlas.WithUserAgent(buildinfo.UserAgent("linktoken-cli")),
		atlas.WithLogger(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}
	c, err := atlas.NewClient(opts...)
	if errors.Is(err, atlas.ErrNoCredentials) {
		if err := f.prof.need("the credentials"); err != nil {
			return nil, err
		}
		if f.prof != nil {
			return nil, usageError("no credentials: %s", f.prof.noCredentials())
		}
		return nil, usageError("no credentials: set %s and %s (API key), or %s and %s (service account), or use an Atlas CLI profile with -P",
			atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey, atlas.EnvClientID, atlas.EnvClientSecret)
	}
	if errors.Is(err, atlas.ErrUnknownService) {
		return nil, usageError("%w (the service came from %s)", err, settingSource(e, f.prof, atlas.EnvService))
	}
	if err != nil {
		return nil, usageError("%w", err)
	}
	if err := f.prof.keepGovCredentials(e, c.BaseURL()); err != nil {
		return nil, err
	}
	f.prof.warnUnread(e)
	return c, nil
}

// callError maps a failed call to its exit code: refused input is a usage
// error (2); anything the service or the network said is 1. A 401 after
// the digest handshake means the service did not accept the credentials:
// the service's own text says little, so the hint names the credential
// used (its public half only) and where it came from, and the usual causes.
func (f *clientFlags) callError(e *env, err error) error {
	if errors.Is(err, atlas.ErrInvalidInput) {
		return usageError("%w", err)
	}
	if errors.Is(err, atlas.ErrUnauthorized) && f.getenv != nil {
		var who string
		if pub := f.getenv(atlas.EnvPublicAPIKey); pub != "" {
			who = fmt.Sprintf("API key %s (public key, from %s)", pub, settingSource(e, f.prof, atlas.EnvPublicAPIKey))
		} else if id := f.getenv(atlas.EnvClientID); id != "" {
			who = fmt.Sprintf("service account %s (client id, from %s)", id, settingSource(e, f.prof, atlas.EnvClientID))
		}
		if who != "" {
			return apiError(fmt.Errorf("%w\nhint: the service did not accept %s: the key may be wrong or revoked, "+
				"may lack the Organization Owner role on this organization, or the API access list may not admit this machine's address", err, who))
		}
	}
	return apiError(err)
}
