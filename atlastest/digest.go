package atlastest

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/icholy/digest"
)

// Realm is the digest realm of the live service.
const Realm = "MMS Public API"

// nonceStore remembers the nonces the service issued, each with the highest
// nc seen, in bounded memory: past max entries the one issued first is
// forgotten (entries are never marked used, so the lru drops them in issue
// order), and a forgotten or expired nonce is answered with stale=true.
type nonceStore struct {
	mu  sync.Mutex
	ttl time.Duration
	// window > 0 admits an nc up to window-1 below the highest seen, once.
	window int
	now    func() time.Time
	byVal  *lru[string, *nonceEntry]
}

type nonceEntry struct {
	issued time.Time
	lastNC int
	// seen has bit i set when nc = lastNC-i was used: the replay window.
	seen uint64
}

// maxNonceCountWindow is the widest out-of-order window the bitmap holds.
const maxNonceCountWindow = 64

func newNonceStore(ttl time.Duration, max, window int, now func() time.Time) *nonceStore {
	return &nonceStore{ttl: ttl, window: window, now: now, byVal: newLRU[string, *nonceEntry](max)}
}

func (s *nonceStore) issue() string {
	n := base64.RawURLEncoding.EncodeToString(randomBytes(24))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byVal.put(n, &nonceEntry{issued: s.now()})
	return n
}

type nonceVerdict int

const (
	nonceOK     nonceVerdict = iota
	nonceStale               // unknown, forgotten or expired: the client should retry with a fresh one
	nonceReplay              // nc not above the highest seen for this nonce
)

// use records nc for nonce. By default a count must strictly rise; with a
// window, a count that arrives late (concurrent requests sharing one
// challenge) is admitted once, and a reused one is still refused.
func (s *nonceStore) use(nonce string, nc int) nonceVerdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byVal.peek(nonce)
	if !ok {
		return nonceStale
	}
	if s.now().Sub(e.issued) >= s.ttl {
		s.byVal.remove(nonce)
		return nonceStale
	}
	if nc > e.lastNC {
		shift := nc - e.lastNC
		if shift >= maxNonceCountWindow {
			e.seen = 0
		} else {
			e.seen <<= uint(shift)
		}
		e.seen |= 1
		e.lastNC = nc
		return nonceOK
	}
	back := e.lastNC - nc
	if back >= s.window || e.seen&(1<<uint(back)) != 0 {
		return nonceReplay
	}
	e.seen |= 1 << uint(back)
	return nonceOK
}

// expireAll makes every outstanding nonce stale at once.
func (s *nonceStore) expireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byVal.clear()
}

func (s *nonceStore) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byVal.len()
}

// authResult is what authentication decided about one request.
type authResult int

const (
	authOK        authResult = iota
	authChallenge            // 401 with a fresh challenge
	authStale                // 401 with a fresh challenge and stale=true
	authForbidden            // 403: a valid key without the role
)

// checkDigest verifies an Authorization: Digest header (RFC 7616, qop=auth,
// MD5 or SHA-256) against the configured keys and the nonce store.
func (s *Service) checkDigest(r *http.Request, header string) (principal string, res authResult) {
	creds, err := digest.ParseCredentials(header)
	if err != nil {
		return "", authChallenge
	}
	// Every digest response the service sees is a secret the suite must never print.
	s.cfg.recordSecret(creds.Response)
	key, ok := s.keys[creds.Username]
	if !ok || creds.Userhash || creds.Realm != Realm || creds.QOP != "auth" || creds.Nc < 1 {
		return "", authChallenge
	}
	switch strings.ToUpper(creds.Algorithm) {
	case "", "MD5", "SHA-256":
	default:
		return "", authChallenge
	}
	// The digest covers the URI the client names; it must be this request's.
	if creds.URI != r.URL.RequestURI() && creds.URI != r.RequestURI {
		return "", authChallenge
	}
	if !digestMatches(creds, r.Method, key.Private) {
		return "", authChallenge
	}
	switch s.nonces.use(creds.Nonce, creds.Nc) {
	case nonceStale:
		return "", authStale
	case nonceReplay:
		return "", authChallenge
	}
	if !key.OrgOwner {
		return creds.Username, authForbidden
	}
	return creds.Username, authOK
}

// digestMatches recomputes the response with icholy/digest's implementation
// of RFC 7616 and compares it in constant time.
func digestMatches(creds *digest.Credentials, method, password string) bool {
	want, err := expectedDigestResponse(creds, method, password)
	if err != nil {
		return false
	}
	got := strings.ToLower(creds.Response)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// expectedDigestResponse is the response value a client holding password
// should have sent with creds (qop=auth), per RFC 7616 §3.4.1; this
// package's tests check it against the RFC's worked examples.
func expectedDigestResponse(creds *digest.Credentials, method, password string) (string, error) {
	chal := &digest.Challenge{
		Realm:     creds.Realm,
		Nonce:     creds.Nonce,
		Opaque:    creds.Opaque,
		Algorithm: creds.Algorithm,
		QOP:       []string{"auth"},
	}
	want, err := digest.Digest(chal, digest.Options{
		Method:   method,
		URI:      creds.URI,
		Count:    creds.Nc,
		Username: creds.Username,
		Password: password,
		Cnonce:   creds.Cnonce,
	})
	if err != nil {
		return "", err
	}
	return want.Response, nil
}

// challenge is the WWW-Authenticate value of a fresh 401, shaped like the
// live one (`domain=""` included).
func (s *Service) challenge(stale bool) string {
	c := digest.Challenge{
		Realm:     Realm,
		Domain:    []string{""},
		Nonce:     s.nonces.issue(),
		Algorithm: s.cfg.algorithm,
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	s.stats.challenge(stale)
	return c.String()
}
