package atlastest

import (
	"sync"
	"time"
)

// tokenStore holds the bearer tokens issued to service accounts. Every
// token lives the same TTL, so they expire in the order they were issued:
// a queue in issue order lets each issue drop the expired ones at its
// front, each token visited once in its life, instead of sweeping the
// whole map on every issue (10,000 live tokens made each issue walk
// 10,000). A token met after its expiry by check is dropped there too.
type tokenStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	now    func() time.Time
	record func(...string) // WithSecretLog
	tokens map[string]issuedToken
	order  []string // issue order; may hold tokens check already dropped
	// visited counts the queue entries the sweeps looked at, for the test
	// that proves the sweep amortised.
	visited int
}

type issuedToken struct {
	clientID string
	expires  time.Time
}

// tokenTTL is how long a bearer token lives, as the live service's do.
const tokenTTL = time.Hour

func newTokenStore(ttl time.Duration, now func() time.Time, record func(...string)) *tokenStore {
	return &tokenStore{ttl: ttl, now: now, record: record, tokens: map[string]issuedToken{}}
}

func (s *tokenStore) issue(clientID string) (string, time.Duration) {
	tok := randomHex(32)
	s.record(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	s.tokens[tok] = issuedToken{clientID: clientID, expires: now.Add(s.ttl)}
	s.order = append(s.order, tok)
	return tok, s.ttl
}

// sweep drops the expired tokens at the front of the queue, and the
// entries of tokens check already dropped. A clock set back (WithClock)
// only delays it; check still refuses an expired token.
func (s *tokenStore) sweep(now time.Time) {
	i := 0
	for ; i < len(s.order); i++ {
		if t, live := s.tokens[s.order[i]]; live && now.Before(t.expires) {
			break
		}
		delete(s.tokens, s.order[i])
	}
	s.visited += i + 1
	// Reslicing leaves the dropped entries in the array until the next
	// append outgrows it and copies only the live ones.
	clear(s.order[:i])
	s.order = s.order[i:]
}

func (s *tokenStore) check(tok string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	if !ok {
		return "", false
	}
	if !s.now().Before(t.expires) {
		delete(s.tokens, tok)
		return "", false
	}
	return t.clientID, true
}

func (s *tokenStore) expireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens, s.order = map[string]issuedToken{}, nil
}
