package atlastest

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter keeps one token bucket per resource: an operation's path
// with its path parameters' values (an organization, for the link-token
// operations), whatever the operation or API version. Buckets are bounded
// (withMaxResources): past the bound the bucket used least recently is
// dropped, which hands that resource a fresh bucket if it comes back, an
// over-generous limit rather than unbounded memory. Time comes from the
// service's clock (WithClock), so tests refill a bucket without sleeping.
type rateLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	capacity int           // every bucket's; read-only after New, so read without the lock
	every    time.Duration // read-only after New
	buckets  *lru[string, *rate.Limiter]
}

func newRateLimiter(capacity int, every time.Duration, maxBuckets int, now func() time.Time) *rateLimiter {
	return &rateLimiter{now: now, capacity: capacity, every: every, buckets: newLRU[string, *rate.Limiter](maxBuckets)}
}

// take draws one request from the resource's bucket. When it is empty it
// reports how long until one is available, rounded up to whole seconds (at
// least 1) for Retry-After.
func (l *rateLimiter) take(resource string) (remaining, wait int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, found := l.buckets.get(resource)
	if !found {
		b = rate.NewLimiter(rate.Every(l.every), l.capacity)
		l.buckets.put(resource, b)
	}
	if b.AllowN(now, 1) {
		return clampTokens(b.TokensAt(now)), 0, true
	}
	return 0, retryAfter(untilOne(b, now)), false
}

// untilOne is how long until the bucket holds a whole token.
func untilOne(l *rate.Limiter, now time.Time) time.Duration {
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(time.Second) / float64(l.Limit()))
}

// retryAfter is a wait in Retry-After's whole seconds, at least 1.
func retryAfter(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// peek reports what is left without drawing, for responses (the 401 of a
// handshake) that should not cost the caller a request. It never creates a
// bucket: a resource nobody has drawn from has its full capacity, and
// unauthenticated requests naming endless resources must not grow the map.
func (l *rateLimiter) peek(resource string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets.peek(resource)
	if !ok {
		return l.capacity
	}
	return clampTokens(b.TokensAt(l.now()))
}

func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buckets.len()
}

func clampTokens(f float64) int {
	if f < 0 {
		return 0
	}
	return int(math.Floor(f))
}
