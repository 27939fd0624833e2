package atlastest

// RateLimitBuckets is how many rate-limit buckets s holds, for tests that
// check what a flood of requests makes the service remember.
func RateLimitBuckets(s *Service) int { return s.limiter.size() }

// OrganizationStates is how many organizations s keeps link-token state
// for (a link, a migration flag).
func OrganizationStates(s *Service) int { return s.links.orgCount() }

// The service's bounds are not an importer's knobs; this package's tests
// lower them to meet them quickly.
type ServerTimeouts = serverTimeouts

var (
	WithServerTimeouts    = withServerTimeouts
	DefaultServerTimeouts = defaultServerTimeouts
	WithMaxNonces         = withMaxNonces
	WithMaxResources      = withMaxResources
	WithMaxBodyBytes      = withMaxBodyBytes
	// ExpectedDigestResponse is checked against RFC 7616's worked examples.
	ExpectedDigestResponse = expectedDigestResponse
)

// ServerTimeoutsOf is the connection limits in force on s.
func ServerTimeoutsOf(s *Service) ServerTimeouts { return s.cfg.timeouts }
