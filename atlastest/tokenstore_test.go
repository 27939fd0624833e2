package atlastest

import (
	"testing"
	"time"
)

// TestTokenStateIsBounded: however many tokens are issued, the store
// keeps at most its bound (10,000 live tokens once made each issue walk
// all of them, and nothing but expiry bounded them); the newest still
// work, the one forgotten first is refused, and so is an expired one.
func TestTokenStateIsBounded(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	const max = 100
	s := newTokenStore(time.Minute, max, func() time.Time { return now }, func(...string) {})
	first, _ := s.issue("id")
	var last string
	for range 10 * max {
		last, _ = s.issue("id")
	}
	if n := s.tokens.len(); n != max {
		t.Fatalf("%d issues keep %d tokens, want %d", 10*max+1, n, max)
	}
	if _, ok := s.check(first); ok {
		t.Error("the token forgotten first is still accepted")
	}
	if id, ok := s.check(last); !ok || id != "id" {
		t.Fatalf("the newest token: %q %v", id, ok)
	}
	now = now.Add(time.Minute)
	if _, ok := s.check(last); ok {
		t.Error("an expired token is accepted")
	}
}
