package atlastest

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-5c49e0d7/linktoken/internal/orgid"
)

// rateLimiter keeps one token bucket per organization. Requests that name no
// well-formed organization share one bucket, and the buckets are bounded
// (maxBuckets), so a flood of made-up ids cannot grow memory, even from an
// authenticated caller.
type rateLimiter struct {
	mu         sync.Mutex
	capacity   int
	every      time.Duration
	buckets    map[string]*rate.Limiter
	maxBuckets int
}

// defaultMaxRateBuckets is far more organizations than any test or local
// run uses, and a few megabytes at most.
const defaultMaxRateBuckets = 10000

func newRateLimiter(capacity int, every time.Duration) *rateLimiter {
	return &rateLimiter{capacity: capacity, every: every, buckets: map[string]*rate.Limiter{}, maxBuckets: defaultMaxRateBuckets}
}

// makeRoom runs, under l.mu, before a bucket is added to a full map. It first
// drops the buckets that have refilled to capacity: such a bucket is exactly
// what a new one would be, so nothing is lost. If every bucket is still
// draining (a flood of distinct organizations faster than the refill), it
// drops arbitrary ones down to three quarters of the bound, which hands those
// organizations a fresh bucket: an over-generous limit rather than unbounded
// memory, and the sweep's cost is spread over the quarter it frees.
func (l *rateLimiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.maxBuckets {
		return
	}
	for id, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.capacity) {
			delete(l.buckets, id)
		}
	}
	for id := range l.buckets {
		if len(l.buckets) <= l.maxBuckets*3/4 {
			break
		}
		delete(l.buckets, id)
	}
}

func (l *rateLimiter) bucket(orgID string) *rate.Limiter {
	if !orgid.Valid(orgID) {
		orgID = ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[orgID]
	if b == nil {
		l.makeRoom(time.Now())
		b = rate.NewLimiter(rate.Every(l.every), l.capacity)
		l.buckets[orgID] = b
	}
	return b
}

// take draws one request from the organization's bucket. When it is empty
// it reports how long until one is available, rounded up to whole seconds
// (at least 1) for Retry-After.
func (l *rateLimiter) take(orgID string) (remaining int, retryAfter int, ok bool) {
	b := l.bucket(orgID)
	now := time.Now()
	if b.AllowN(now, 1) {
		return clampTokens(b.TokensAt(now)), 0, true
	}
	res := b.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	res.CancelAt(now)
	return 0, max(1, int(math.Ceil(delay.Seconds()))), false
}

// peek reports what is left without drawing, for responses (the 401 of a
// handshake) that should not cost the caller a request. It never creates a
// bucket: an organization nobody has drawn from has its full capacity, and
// unauthenticated requests naming endless organizations must not grow the
// map.
func (l *rateLimiter) peek(orgID string) int {
	if !orgid.Valid(orgID) {
		orgID = ""
	}
	l.mu.Lock()
	b := l.buckets[orgID]
	capacity := l.capacity
	l.mu.Unlock()
	if b == nil {
		return capacity
	}
	return clampTokens(b.Tokens())
}

func clampTokens(f float64) int {
	if f < 0 {
		return 0
	}
	return int(math.Floor(f))
}

// setCapacity changes the limits of every bucket, for tests that want to
// meet a 429 quickly.
func (l *rateLimiter) set(capacity int, every time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.capacity, l.every = capacity, every
	l.buckets = map[string]*rate.Limiter{}
}
