package atlastest

import (
	"net/http"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// RateLimitBuckets is how many rate-limit buckets s holds, for tests that
// check what a flood of requests makes the service remember.
func RateLimitBuckets(s *Service) int { return s.limiter.size() }

// OrganizationStates is how many organizations s keeps link-token state
// for (a link, a migration flag).
func OrganizationStates(s *Service) int { return s.links.orgCount() }

// The service's bounds are not an importer's knobs; this package's tests
// lower them to meet them quickly.
var (
	WithServerLimits = withServerLimits
	WithMaxNonces    = withMaxNonces
	WithMaxResources = withMaxResources
	WithMaxBodyBytes = withMaxBodyBytes
	// WithoutContractValidation is the benchmarks' baseline.
	WithoutContractValidation = withoutContractValidation
	// ExpectedDigestResponse is checked against RFC 7616's worked examples.
	ExpectedDigestResponse = expectedDigestResponse
)

// ServerLimitsOf is the connection limits NewServer applies for s.
func ServerLimitsOf(s *Service) serverlimits.Limits { return s.cfg.limits }

// HTTPServerOf is the http.Server behind s, for checking its limits.
func HTTPServerOf(s *Server) *http.Server { return s.srv.Config }

// OutstandingNonces is how many issued nonces s still remembers.
func OutstandingNonces(s *Service) int { return s.nonces.size() }
