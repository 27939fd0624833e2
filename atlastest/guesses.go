package atlastest

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guessLimiter throttles wrong client secrets at the token endpoint, so
// that a caller cannot try secrets as fast as the server answers: each
// configured client id has its own bucket of failures, and all failures
// together (unknown client ids included, which get no bucket of their
// own so that made-up ids cannot grow memory) share a global one. While
// a bucket is empty the endpoint answers 429 with Retry-After, before
// looking at the secret.
type guessLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	perID  map[string]*rate.Limiter
	global *rate.Limiter
}

// The bounds: 10 wrong secrets a minute per client id, in a burst of 10;
// 100 a minute in all.
const (
	guessesPerID      = 10
	guessRefillPerID  = 6 * time.Second
	guessesGlobal     = 100
	guessRefillGlobal = 600 * time.Millisecond
)

func newGuessLimiter(clientIDs map[string]string, now func() time.Time) *guessLimiter {
	g := &guessLimiter{now: now, perID: map[string]*rate.Limiter{},
		global: rate.NewLimiter(rate.Every(guessRefillGlobal), guessesGlobal)}
	for id := range clientIDs {
		g.perID[id] = rate.NewLimiter(rate.Every(guessRefillPerID), guessesPerID)
	}
	return g
}

// wait reports, in whole seconds (at least 1), how long a caller naming
// clientID must wait before its secret is looked at; 0: not at all.
func (g *guessLimiter) wait(clientID string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	worst := untilOne(g.global, now)
	if l := g.perID[clientID]; l != nil {
		worst = max(worst, untilOne(l, now))
	}
	if worst <= 0 {
		return 0
	}
	return retryAfter(worst)
}

// failed draws one wrong guess from the client id's bucket and the
// global one.
func (g *guessLimiter) failed(clientID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.global.AllowN(now, 1)
	if l := g.perID[clientID]; l != nil {
		l.AllowN(now, 1)
	}
}
