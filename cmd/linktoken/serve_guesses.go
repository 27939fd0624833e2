package main

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// The bounds on wrong client secrets: 10 a minute per client id, in a
// burst of 10; 100 a minute in all.
const (
	guessesPerID      = 10
	guessRefillPerID  = 6 * time.Second
	guessesGlobal     = 100
	guessRefillGlobal = 600 * time.Millisecond
	// maxTokenForm is as much of a token request's body as is read for its
	// client id: the service itself refuses a longer one (its body cap).
	maxTokenForm = 64 << 10
)

// guessLimit throttles wrong client secrets at the service-account token
// endpoint, so that a caller of serve, which may face an untrusted
// network, cannot try secrets as fast as the server answers. It is serve's
// hardening, wrapped around the service from outside: atlastest, a test
// double that meets only a test's own clients, has no such bound.
//
// Each configured client id has its own bucket of failures, and all
// failures together (unknown client ids included, which get no bucket of
// their own so that made-up ids cannot grow memory) share a global one.
// While a bucket is empty the endpoint answers 429 with Retry-After,
// before the service looks at the secret.
type guessLimit struct {
	next http.Handler
	now  func() time.Time
	// log is serve's exchange log, so that a refused guess is logged like
	// any exchange; nil logs nothing.
	log func(atlastest.Exchange)

	// perID is not written after newGuessLimit, and rate.Limiter locks
	// itself: the limit needs no lock of its own.
	perID  map[string]*rate.Limiter
	global *rate.Limiter
}

func newGuessLimit(next http.Handler, clientIDs []string, log func(atlastest.Exchange)) *guessLimit {
	g := &guessLimit{next: next, now: time.Now, log: log, perID: map[string]*rate.Limiter{},
		global: rate.NewLimiter(rate.Every(guessRefillGlobal), guessesGlobal)}
	for _, id := range clientIDs {
		g.perID[id] = rate.NewLimiter(rate.Every(guessRefillPerID), guessesPerID)
	}
	return g
}

func (g *guessLimit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The service answers TokenPath under a mount prefix too: every path
	// that ends like it is guarded, more than the endpoint rather than less.
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.EscapedPath(), atlastest.TokenPath) {
		g.next.ServeHTTP(w, r)
		return
	}
	id := clientIDOf(r)
	if wait := g.wait(id); wait > 0 {
		start := time.Now()
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(wait))
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		if g.log != nil {
			g.log(atlastest.Exchange{Method: r.Method, Path: r.URL.RequestURI(), Operation: atlastest.OpOAuthToken,
				Status: http.StatusTooManyRequests, Duration: time.Since(start)})
		}
		return
	}
	g.next.ServeHTTP(w, r)
	// The token endpoint refuses a secret with a 401 and a Basic
	// challenge, and nothing else the service answers carries one: a
	// digest or bearer 401 under a path that merely ends like TokenPath
	// is no guess. (The header map is still readable once sent.)
	if strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
		g.failed(id)
	}
}

// clientIDOf is the client id the token endpoint reads (HTTP Basic, else
// the form), leaving the body for it. The body is read as a form whatever
// its Content-Type: that charges a guess to an id the service did not
// read, which a wrong secret under the right type could do anyway.
func clientIDOf(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		return id
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxTokenForm))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	form, _ := url.ParseQuery(string(body)) // what parses, when not all does
	return form.Get("client_id")
}

// wait reports, in whole seconds (at least 1), how long a caller naming
// clientID must wait before its secret is looked at; 0: not at all.
func (g *guessLimit) wait(clientID string) int {
	now := g.now()
	var worst time.Duration
	for _, l := range []*rate.Limiter{g.global, g.perID[clientID]} {
		if l == nil {
			continue
		}
		if tokens := l.TokensAt(now); tokens < 1 {
			worst = max(worst, time.Duration((1-tokens)*float64(time.Second)/float64(l.Limit())))
		}
	}
	if worst <= 0 {
		return 0
	}
	return max(1, int(math.Ceil(worst.Seconds())))
}

// failed draws one wrong guess from the client id's bucket and the
// global one.
func (g *guessLimit) failed(clientID string) {
	now := g.now()
	g.global.AllowN(now, 1)
	if l := g.perID[clientID]; l != nil {
		l.AllowN(now, 1)
	}
}
