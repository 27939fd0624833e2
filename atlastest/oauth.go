package atlastest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// tokenStore holds the bearer tokens issued to service accounts, dropping
// expired ones as it meets them.
type tokenStore struct {
	mu     sync.Mutex
	ttl    time.Duration
	now    func() time.Time
	tokens map[string]issuedToken
}

type issuedToken struct {
	clientID string
	expires  time.Time
}

func newTokenStore(ttl time.Duration, now func() time.Time) *tokenStore {
	return &tokenStore{ttl: ttl, now: now, tokens: map[string]issuedToken{}}
}

func (s *tokenStore) issue(clientID string) (string, time.Duration) {
	tok := randomHex(32)
	secretlog.Record(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, t := range s.tokens { // bounded memory: sweep on issue
		if !now.Before(t.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[tok] = issuedToken{clientID: clientID, expires: now.Add(s.ttl)}
	return tok, s.ttl
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
	s.tokens = map[string]issuedToken{}
}

// serveToken is the client-credentials endpoint (RFC 6749 §4.4): client
// credentials in HTTP Basic or in the form, answered with a bearer token.
func (s *Service) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthError := func(status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
	}
	if r.Method != http.MethodPost {
		oauthError(http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	want, known := s.cfg.serviceAccounts[id]
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="MMS Public API"`)
		oauthError(http.StatusUnauthorized, "invalid_client")
		return
	}
	tok, ttl := s.tokens.issue(id)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(ttl / time.Second),
	})
}
