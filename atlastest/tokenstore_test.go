package atlastest

import (
	"testing"
	"time"
)

// TestTokenSweepIsAmortised: issuing a token looks at each issued token
// once in its life, not at every live token on every issue (10,000 live
// tokens once made each issue walk all of them), and still drops the
// expired ones.
func TestTokenSweepIsAmortised(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	s := newTokenStore(time.Minute, func() time.Time { return now }, func(...string) {})
	const n = 10000
	for range n {
		s.issue("id")
	}
	if s.visited > n {
		t.Fatalf("%d issues visited %d entries", n, s.visited)
	}
	now = now.Add(time.Minute)
	s.issue("id")
	if len(s.tokens) != 1 || len(s.order) != 1 || s.visited > 2*n+1 {
		t.Fatalf("after expiry: %d tokens, %d queued, %d visited", len(s.tokens), len(s.order), s.visited)
	}
}
