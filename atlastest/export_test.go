package atlastest

// RateLimitBuckets is how many rate-limit buckets s holds, for tests that
// check what a flood of requests makes the service remember.
func RateLimitBuckets(s *Service) int { return s.limiter.size() }

// OrganizationStates is how many organizations s keeps link-token state
// for (a link, a migration flag).
func OrganizationStates(s *Service) int { return s.links.orgCount() }
