package atlastest

// RateLimitBuckets is how many rate-limit buckets s holds, for tests that
// check what a flood of requests makes the service remember.
func RateLimitBuckets(s *Service) int {
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	return len(s.limiter.buckets)
}

// SetMaxRateLimitBuckets lowers the bound on rate-limit buckets, so a test
// can reach it with a few requests.
func SetMaxRateLimitBuckets(s *Service, n int) {
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	s.limiter.maxBuckets = n
}
