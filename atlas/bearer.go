package atlas

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed-5c49e0d7/linktoken/internal/digestauth"
)

// bearerTransport authenticates with a service account: OAuth 2 client
// credentials exchanged for a bearer token, cached until it expires. Unlike
// oauth2.Transport it also recovers from a token the service revoked or
// expired early: a 401 fetches a fresh token and sends the request once more
// (a 401 is never carried out, so this is safe for a create too).
type bearerTransport struct {
	cfg         clientcredentials.Config
	tokenClient *http.Client // reaches the token endpoint through the caller's transport
	next        http.RoundTripper

	// lock is held while tok is read or fetched: a channel, not a
	// sync.Mutex, so that a call waiting for another call's fetch gives up
	// when its own context ends.
	lock chan struct{}
	tok  *oauth2.Token
}

func newBearerTransport(cfg clientcredentials.Config, tokenClient *http.Client, next http.RoundTripper) *bearerTransport {
	return &bearerTransport{cfg: cfg, tokenClient: tokenClient, next: next, lock: make(chan struct{}, 1)}
}

// token returns the cached token, or a fresh one when it is missing, expired
// or refused (stale is the token the server just refused). A fetch runs
// under the context of the call that needs it, so it ends with that call,
// and so does a wait for another call's fetch.
func (b *bearerTransport) token(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	select {
	case b.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("linktoken: service-account token: %w", ctx.Err())
	}
	defer func() { <-b.lock }()
	if b.tok.Valid() && b.tok != stale {
		return b.tok, nil
	}
	tok, err := b.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, b.tokenClient))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The call gave up (deadline or cancel), not the token endpoint.
			return nil, fmt.Errorf("linktoken: service-account token: %w", ctxErr)
		}
		te := &TokenError{Message: redactText(b.withoutSecret(err.Error()), 200)}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			te.StatusCode = re.Response.StatusCode
			te.RetryAfter = parseRetryAfter(re.Response.Header, time.Now())
		}
		return nil, te
	}
	b.tok = tok
	return tok, nil
}

// withoutSecret blanks the client secret, in every form the token request
// sent it (raw, form-encoded, inside a Basic credential), out of s: oauth2's
// error quotes the endpoint's body, which may echo the request, and
// redactText's patterns miss a short secret or one with symbols.
func (b *bearerTransport) withoutSecret(s string) string {
	id, secret := b.cfg.ClientID, b.cfg.ClientSecret
	basic := func(id, secret string) string { return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)) }
	// Longest first: a form may contain a shorter one.
	forms := []string{basic(url.QueryEscape(id), url.QueryEscape(secret)), basic(id, secret), url.QueryEscape(secret), secret}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, "[REDACTED]")
	}
	return s
}

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if digestauth.RedirectedElsewhere(r) {
		// An http.Client follows redirects by default: the token goes to
		// the server the call was made to, never to where it redirects.
		return b.next.RoundTrip(r)
	}
	getBody, err := digestauth.ReplayableBody(r)
	if err != nil {
		return nil, err
	}
	var refused *oauth2.Token
	for attempt := 0; ; attempt++ {
		tok, err := b.token(r.Context(), refused)
		if err != nil {
			return nil, err
		}
		req := r.Clone(r.Context())
		if req.Body, err = getBody(); err != nil {
			return nil, err
		}
		req.GetBody = getBody
		tok.SetAuthHeader(req)
		resp, err := b.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
		refused = tok
	}
}

// CloseIdleConnections reaches the wire.
func (b *bearerTransport) CloseIdleConnections() {
	if c, ok := b.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// TokenError is a failed service-account token exchange. It matches
// ErrUnauthorized when the token endpoint refused the credentials (400 or
// 401), which is never retried: new attempts would meet the same refusal;
// ErrRateLimited for its 429. A 429 or 5xx of the token endpoint, or an
// endpoint not reached, is retried per the retry policy, a create's call
// too: it was never sent.
type TokenError struct {
	// StatusCode is the token endpoint's status, or 0 when it was not reached.
	StatusCode int
	// RetryAfter is the token endpoint's Retry-After, or 0.
	RetryAfter time.Duration
	// Message is oauth2's error, redacted and cut short (it may quote the
	// endpoint's body).
	Message string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("linktoken: service-account token: %s", e.Message)
}

// Is matches ErrUnauthorized for refused credentials, ErrRateLimited for
// a 429.
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == 400 || e.StatusCode == 401
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}
