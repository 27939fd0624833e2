package atlastest

// RateLimitBuckets is how many rate-limit buckets s holds, for tests that
// check what a flood of requests makes the service remember.
func RateLimitBuckets(s *Service) int {
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	return len(s.limiter.buckets)
}
