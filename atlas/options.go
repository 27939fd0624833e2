package atlas

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// APIVersion selects the base path and media type of every call.
type APIVersion string

// The API versions the link-token operations are served under.
const (
	// APIVersionV2 is the current API: /api/atlas/v2, application/vnd.atlas.2023-01-01+json.
	APIVersionV2 APIVersion = "v2"
	// APIVersionV1 is the deprecated API: /api/atlas/v1.0, application/json.
	APIVersionV1 APIVersion = "v1.0"
)

// DefaultBaseURL is the service root of MongoDB Atlas.
const DefaultBaseURL = "https://cloud.mongodb.com/"

// GovBaseURL is the service root of MongoDB Atlas for Government, where the
// Atlas CLI sends a profile (or $MONGODB_ATLAS_SERVICE) whose service is
// "cloudgov" and that sets no ops_manager_url.
const GovBaseURL = "https://cloud.mongodbgov.com/"

// ParseAPIVersion accepts "v2", "2", "v1.0", "v1", "1.0" and "1".
func ParseAPIVersion(s string) (APIVersion, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "v2", "2":
		return APIVersionV2, nil
	case "v1.0", "v1", "1.0", "1":
		return APIVersionV1, nil
	}
	return "", fmt.Errorf("unknown API version %q: want v2 or v1.0", s)
}

// mediaType is the Content-Type and Accept of request and success bodies.
func (v APIVersion) mediaType() string {
	if v == APIVersionV1 {
		return "application/json"
	}
	return "application/vnd.atlas.2023-01-01+json"
}

// Option configures a Client. Later options win over earlier ones, so
// settings from the environment can be overridden by flags.
type Option func(*config) error

type config struct {
	baseURL      string
	version      APIVersion
	publicKey    string
	privateKey   string
	clientID     string
	clientSecret string
	httpClient   *http.Client
	wire         []func(http.RoundTripper) http.RoundTripper
	userAgent    string
	retry        RetryPolicy
	logger       *slog.Logger
	envelope     bool
	pretty       bool
}

// WithDigest authenticates with a programmatic API key through HTTP Digest:
// the public key is the user name, the private key the password. It replaces
// service-account credentials given earlier.
func WithDigest(publicKey, privateKey string) Option {
	return func(c *config) error {
		if publicKey == "" || privateKey == "" {
			return errors.New("linktoken: WithDigest needs both a public and a private key")
		}
		c.publicKey, c.privateKey = publicKey, privateKey
		c.clientID, c.clientSecret = "", ""
		return nil
	}
}

// WithServiceAccount authenticates with a service account (v2 only): OAuth 2
// client credentials exchanged at <base URL>/api/oauth/token for a bearer
// token. It replaces digest credentials given earlier.
func WithServiceAccount(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("linktoken: WithServiceAccount needs both a client id and a client secret")
		}
		c.clientID, c.clientSecret = clientID, clientSecret
		c.publicKey, c.privateKey = "", ""
		return nil
	}
}

// WithBaseURL sets the service ROOT (default https://cloud.mongodb.com/), like
// MONGODB_ATLAS_OPS_MANAGER_URL; the client appends /api/atlas/v2 or
// /api/atlas/v1.0 itself.
func WithBaseURL(root string) Option {
	return func(c *config) error { c.baseURL = root; return nil }
}

// WithAPIVersion picks v2 (the default) or v1.0.
func WithAPIVersion(v APIVersion) Option {
	return func(c *config) error {
		if v != APIVersionV2 && v != APIVersionV1 {
			return fmt.Errorf("linktoken: unknown API version %q: want %q or %q", v, APIVersionV2, APIVersionV1)
		}
		c.version = v
		return nil
	}
}

// WithHTTPClient uses a copy of hc: authentication is layered onto ITS
// transport (http.DefaultTransport when nil), and its timeout, redirect
// policy and cookie jar are kept. hc itself is never modified, and
// http.DefaultClient is never touched.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("linktoken: WithHTTPClient(nil)")
		}
		c.httpClient = hc
		return nil
	}
}

// WithWireTransport inserts a RoundTripper right above the wire, BELOW
// authentication, so it sees every exchange including the 401 digest
// challenge: the place for contract.NewTransport, recorders and fault
// injectors. Given several times, each wraps the ones before it.
func WithWireTransport(wrap func(next http.RoundTripper) http.RoundTripper) Option {
	return func(c *config) error {
		if wrap == nil {
			return errors.New("linktoken: WithWireTransport(nil)")
		}
		c.wire = append(c.wire, wrap)
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error { c.userAgent = ua; return nil }
}

// WithRetryPolicy replaces the retry policy (DefaultRetryPolicy otherwise).
// Zero fields take their defaults; MaxAttempts 1 disables retries.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error { c.retry = p; return nil }
}

// WithLogger logs every retry and its reason (at Warn) on l.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

// WithEnvelope makes every call send envelope=true; the client unwraps the
// {"status","content"} envelope transparently.
func WithEnvelope(on bool) Option {
	return func(c *config) error { c.envelope = on; return nil }
}

// WithPretty makes creates send pretty=true (the operation that declares it).
func WithPretty(on bool) Option {
	return func(c *config) error { c.pretty = on; return nil }
}
