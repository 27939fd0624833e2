package atlastest

import (
	"sync"
	"time"
)

// tokenStore holds the bearer tokens issued to service accounts, bounded
// like the service's other state (withMaxResources): past the bound the
// token used least recently is forgotten, so issuing costs the same
// however many tokens are live, and a caller minting endless tokens
// cannot grow memory. A token met after its expiry is dropped.
type tokenStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	now    func() time.Time
	record func(...string) // WithSecretLog
	tokens *lru[string, issuedToken]
}

type issuedToken struct {
	clientID string
	expires  time.Time
}

// tokenTTL is how long a bearer token lives, as the live service's do.
const tokenTTL = time.Hour

func newTokenStore(ttl time.Duration, max int, now func() time.Time, record func(...string)) *tokenStore {
	return &tokenStore{ttl: ttl, now: now, record: record, tokens: newLRU[string, issuedToken](max)}
}

func (s *tokenStore) issue(clientID string) (string, time.Duration) {
	tok := randomHex(32)
	s.record(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.put(tok, issuedToken{clientID: clientID, expires: s.now().Add(s.ttl)})
	return tok, s.ttl
}

func (s *tokenStore) check(tok string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens.get(tok)
	if !ok {
		return "", false
	}
	if !s.now().Before(t.expires) {
		s.tokens.remove(tok)
		return "", false
	}
	return t.clientID, true
}

func (s *tokenStore) expireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.clear()
}
