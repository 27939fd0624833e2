package atlastest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// Option configures a [Service] (and so a [Server]).
type Option func(*config) error

// APIKey is a programmatic API key the service accepts: the public key is the
// digest user name, the private key its password.
type APIKey struct {
	Public  string
	Private string
	// OrgOwner grants the Organization Owner role that both operations need;
	// a key without it is answered 403.
	OrgOwner bool
}

type config struct {
	keys            []APIKey
	orgs            map[string]bool // WithOrganizations (links.go); nil: all exist
	algorithm       string
	nonceTTL        time.Duration
	maxNonces       int
	ncWindow        int
	rateCapacity    int
	rateRefillEvery time.Duration
	maxBodyBytes    int64
	serviceAccounts map[string]string
	logExchange     func(Exchange)
	validator       *contract.Validator
	noValidation    bool // withoutContractValidation: benchmarks only
	noAuth          bool
	limits          serverlimits.Limits // what NewServer applies; the deadlines latency extends
	randomFaults    *randomFaults
	now             func() time.Time
	handlers        map[string]http.Handler // by operation id
	maxResources    int
	secrets         func(string) // WithSecretLog; nil: none
}

// recordSecret hands secrets to the WithSecretLog recorder, if any.
func (c *config) recordSecret(secrets ...string) {
	if c.secrets == nil {
		return
	}
	for _, s := range secrets {
		c.secrets(s)
	}
}

// Defaults: generous enough that no ordinary test meets them.
const (
	defaultNonceTTL     = 5 * time.Minute
	defaultMaxNonces    = 4096
	defaultRateCapacity = 500
	defaultRateRefill   = 10 * time.Millisecond // 100 requests a second
	defaultMaxBodyBytes = 64 << 10
	// defaultMaxResources is far more organizations than any test or local
	// run uses, and about ten megabytes of state at most.
	defaultMaxResources = 10000
)

func defaultConfig() config {
	return config{
		algorithm:       "MD5",
		nonceTTL:        defaultNonceTTL,
		maxNonces:       defaultMaxNonces,
		rateCapacity:    defaultRateCapacity,
		rateRefillEvery: defaultRateRefill,
		maxBodyBytes:    defaultMaxBodyBytes,
		limits:          serverlimits.Default(),
		now:             time.Now,
		maxResources:    defaultMaxResources,
	}
}

// WithAPIKey adds a key pair. Without any, the service generates one
// Organization Owner key (see [Service.PublicKey]).
func WithAPIKey(k APIKey) Option {
	return func(c *config) error {
		if k.Public == "" || k.Private == "" {
			return fmt.Errorf("atlastest: an API key needs a public and a private part")
		}
		c.keys = append(c.keys, k)
		return nil
	}
}

// WithDigestAlgorithm sets the algorithm advertised in challenges: "MD5" (the
// default, as the live service does) or "SHA-256". Credentials computed with
// either are accepted whatever the challenge said.
func WithDigestAlgorithm(alg string) Option {
	return func(c *config) error {
		switch alg {
		case "MD5", "SHA-256":
			c.algorithm = alg
			return nil
		}
		return fmt.Errorf("atlastest: digest algorithm %q: want MD5 or SHA-256", alg)
	}
}

// WithNonceTTL sets how long a server nonce stays valid; after that a request
// using it is answered 401 with a fresh challenge carrying stale=true.
func WithNonceTTL(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("atlastest: nonce TTL must be positive")
		}
		c.nonceTTL = d
		return nil
	}
}

// withMaxNonces bounds the memory spent on outstanding nonces: beyond n the
// oldest is forgotten (a client still using it gets stale=true). The
// default (4096) serves any test; this package's tests lower it.
func withMaxNonces(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("atlastest: max nonces must be at least 1")
		}
		c.maxNonces = n
		return nil
	}
}

// WithRateLimit gives each resource (an operation's path with its path
// parameters: for the link-token operations, an organization) a token
// bucket of capacity requests that refills one request every refillEvery.
// The default is 500, refilled at 100 a second.
func WithRateLimit(capacity int, refillEvery time.Duration) Option {
	return func(c *config) error {
		if capacity < 1 || refillEvery <= 0 {
			return fmt.Errorf("atlastest: rate limit needs a capacity ≥ 1 and a positive refill interval")
		}
		c.rateCapacity, c.rateRefillEvery = capacity, refillEvery
		return nil
	}
}

// withMaxBodyBytes caps request bodies; a larger body is answered 413
// (VALIDATION_ERROR, as the contract's example). The default, 64 KiB, is
// far above any body of the contract; this package's tests lower it.
func withMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("atlastest: max body bytes must be positive")
		}
		c.maxBodyBytes = n
		return nil
	}
}

// WithServiceAccount enables the v2 service-account flow for one client: POST
// /api/oauth/token ([TokenPath]) with grant_type=client_credentials issues
// bearer tokens, each for an hour, that the v2 base URL accepts (v1.0
// does not, as live). Wrong secrets are answered 401 however many a test
// tries; linktoken serve, which may face an untrusted network, throttles
// them in front of the service.
func WithServiceAccount(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return fmt.Errorf("atlastest: a service account needs a client id and secret")
		}
		if c.serviceAccounts == nil {
			c.serviceAccounts = map[string]string{}
		}
		c.serviceAccounts[clientID] = clientSecret
		return nil
	}
}

// WithExchangeLog calls f once per exchange, just before the response goes
// out, so a client that has its answer finds it logged. f may be called from
// many goroutines at once. [Exchange] holds no secret.
func WithExchangeLog(f func(Exchange)) Option {
	return func(c *config) error {
		c.logExchange = f
		return nil
	}
}

// WithContractValidator serves the contract v holds instead of the one
// embedded in this module: v routes every request (operation, version,
// path parameters, envelope, media types, authentication schemes) and,
// validates it. Build v with
// contract.WithDocument to serve a contract that has grown: each operation
// it adds needs a handler ([WithOperationHandler]) and nothing else.
func WithContractValidator(v *contract.Validator) Option {
	return func(c *config) error {
		if v == nil {
			return fmt.Errorf("atlastest: a nil contract validator")
		}
		c.validator = v
		return nil
	}
}

// withoutContractValidation turns request validation against the contract
// off (requests are still routed by it), for this package's benchmarks: the
// baseline that says what validation costs. Handlers trust the contract and
// check nothing again, so it is no option for importers.
func withoutContractValidation() Option {
	return func(c *config) error {
		c.noValidation = true
		return nil
	}
}

// WithOperationHandler serves the contract's operation operationID with h
// instead of the generated strict server: for an operation the generated
// interface does not have (one added to a test copy of the contract, see
// [WithContractValidator]), or to replace one. h meets only requests that
// passed the service's pipeline (authentication, faults, the rate limit,
// content negotiation, validation); it reads path parameters with
// r.PathValue, answers in [NegotiatedMediaType], and leaves the envelope,
// pretty-printing, charset and rate-limit headers to the service. [New]
// fails for an id that is not an operation of the contract.
func WithOperationHandler(operationID string, h http.Handler) Option {
	return func(c *config) error {
		if operationID == "" || h == nil {
			return fmt.Errorf("atlastest: an operation handler needs an operation id and a handler")
		}
		if c.handlers == nil {
			c.handlers = map[string]http.Handler{}
		}
		c.handlers[operationID] = h
		return nil
	}
}

// WithClock makes now the service's clock for everything it times itself:
// nonce and bearer-token expiry, rate-limit refills. Tests advance a fake
// clock instead of sleeping. Latency ([Fault.Latency]) and
// connection timeouts stay on real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("atlastest: a nil clock")
		}
		c.now = now
		return nil
	}
}

// withMaxResources bounds the state the service keeps per resource, so
// that an authenticated caller naming endless made-up organizations cannot
// grow it without limit: at most n rate-limit buckets, and the link-token
// state (link, migration flag) of at most n organizations, and at most n
// service-account bearer tokens. Past the bound the least recently used
// entry is dropped: a dropped bucket starts full again, a dropped
// organization has no link, a dropped token is refused.
// The default is 10,000; this package's tests lower it.
func withMaxResources(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("atlastest: max resources must be at least 1")
		}
		c.maxResources = n
		return nil
	}
}

// WithNonceCountWindow admits a nonce count up to n-1 below the highest seen
// for its nonce, once each (n ≤ 64). By default (0) counts must strictly
// rise, as the live service's clients send them one at a time; a client
// that shares one cached challenge between concurrent requests sends counts
// out of order and, without a window, meets 401s that a second round trip
// may not cure. A reused count is refused either way.
func WithNonceCountWindow(n int) Option {
	return func(c *config) error {
		if n < 0 || n > maxNonceCountWindow {
			return fmt.Errorf("atlastest: nonce count window %d: want 0 to %d", n, maxNonceCountWindow)
		}
		c.ncWindow = n
		return nil
	}
}

// WithSecretLog makes the service hand record every secret it issues or
// sees: API private keys, client secrets, link-tokens and the keys inside
// them, bearer tokens, digest responses. A test suite records them to
// prove that none reaches its output (this module's secret scan does);
// the service itself never writes them anywhere. record may be called
// from many goroutines at once; a nil record records nothing.
func WithSecretLog(record func(secret string)) Option {
	return func(c *config) error {
		c.secrets = record
		return nil
	}
}

// WithoutAuthentication turns digest and bearer authentication off: every
// request to the API base URLs is served as if it came from the first
// Organization Owner key ([Service.PublicKey]), whatever its Authorization
// header says, and no challenge is ever issued. It is for benchmarks and
// tests only — benchmarks that measure the rest of the service without a
// handshake per call, and tests of a client that does not authenticate —
// and must never front anything reachable by others.
func WithoutAuthentication() Option {
	return func(c *config) error {
		c.noAuth = true
		return nil
	}
}
