package atlas

import (
	"errors"
	"fmt"
	"os"
)

// The Atlas CLI's environment variables.
const (
	EnvPublicAPIKey  = "MONGODB_ATLAS_PUBLIC_API_KEY"
	EnvPrivateAPIKey = "MONGODB_ATLAS_PRIVATE_API_KEY"
	EnvBaseURL       = "MONGODB_ATLAS_OPS_MANAGER_URL"
	EnvClientID      = "MONGODB_ATLAS_CLIENT_ID"
	EnvClientSecret  = "MONGODB_ATLAS_CLIENT_SECRET"
	// EnvService is "cloud" (the default) or "cloudgov" (Atlas for
	// Government, at GovBaseURL); EnvBaseURL wins over it, as in the Atlas CLI.
	EnvService = "MONGODB_ATLAS_SERVICE"
	// EnvOrgID is read by the command, not the client: an org id belongs to a call.
	EnvOrgID = "MONGODB_ATLAS_ORG_ID"
)

// WithEnv configures credentials and the base URL from the Atlas CLI's
// environment variables, read through getenv (os.Getenv when nil). API keys
// win over a service account when both are set. Unset variables change
// nothing, so options after it (flags) can still supply them; half a pair is
// an error.
func WithEnv(getenv func(string) string) Option {
	if getenv == nil {
		getenv = os.Getenv
	}
	return func(c *config) error {
		pub, priv := getenv(EnvPublicAPIKey), getenv(EnvPrivateAPIKey)
		id, secret := getenv(EnvClientID), getenv(EnvClientSecret)
		switch {
		case pub != "" || priv != "":
			if pub == "" || priv == "" {
				return errors.New("linktoken: set both " + EnvPublicAPIKey + " and " + EnvPrivateAPIKey)
			}
			if err := WithDigest(pub, priv)(c); err != nil {
				return err
			}
		case id != "" || secret != "":
			if id == "" || secret == "" {
				return errors.New("linktoken: set both " + EnvClientID + " and " + EnvClientSecret)
			}
			if err := WithServiceAccount(id, secret)(c); err != nil {
				return err
			}
		}
		// Credentials go only to the service the user chose: an Atlas for
		// Government key sent to commercial Atlas (or the reverse) is a
		// secret handed to a host that has no use for it.
		switch service := getenv(EnvService); {
		case getenv(EnvBaseURL) != "":
			c.baseURL = getenv(EnvBaseURL)
		case service == serviceGov:
			c.baseURL = GovBaseURL
		case service != "" && service != serviceCloud:
			return fmt.Errorf("linktoken: %s %q: %w: want %q or %q (or set %s to the service root)", EnvService, service, ErrUnknownService, serviceCloud, serviceGov, EnvBaseURL)
		}
		return nil
	}
}

// ErrUnknownService is returned (wrapped) by NewClient when EnvService names
// a service other than the Atlas CLI's "cloud" and "cloudgov" and no
// EnvBaseURL says where to go instead.
var ErrUnknownService = errors.New("unknown service")

// The Atlas CLI's names for its services (its config's "service" key).
const (
	serviceCloud = "cloud"
	serviceGov   = "cloudgov"
)

// NewClientFromEnv is NewClient with WithEnv(os.Getenv) applied first, so
// opts override the environment.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	return NewClient(append([]Option{WithEnv(os.Getenv)}, opts...)...)
}
