package atlastest_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// The service against hostile input. Every case checks the same three
// things: the server answers (or hangs up) within a deadline, the answer is
// a refusal (401 or 400-class), and the organization's link is exactly what
// it was before. Raw requests go through hsClient (a plain client with a
// timeout) or a raw TCP connection with a deadline, never through the
// contract-checking transport: these requests break the contract on purpose.

const (
	hsPathA = atlastest.BasePathV2 + "/orgs/" + orgA + "/liveMigrations/linkTokens"
	hsPathB = atlastest.BasePathV2 + "/orgs/" + orgB + "/liveMigrations/linkTokens"
	hsBody  = `{"accessListIps":["192.0.2.10"]}`
	// hsDeadline bounds every exchange and every raw connection here: far
	// above anything the server should take, far below the test timeout.
	hsDeadline = 10 * time.Second
)

// hsClient is a plain HTTP client with a deadline on every exchange.
func hsClient(t *testing.T) *http.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hsDeadline}
}

// hsRequest sends method path with the v2 media types, the Authorization
// values given (none, one or several), and body for a POST.
func hsRequest(t *testing.T, c *http.Client, srv *atlastest.Server, method, path string, auth ...string) *http.Response {
	t.Helper()
	res, err := hsDo(t, c, srv, method, path, auth...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// hsDo is hsRequest for other goroutines than the test's: it returns the
// error rather than stopping the test.
func hsDo(t *testing.T, c *http.Client, srv *atlastest.Server, method, path string, auth ...string) (*http.Response, error) {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(hsBody)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", atlastest.MediaTypeV2)
	if body != nil {
		req.Header.Set("Content-Type", atlastest.MediaTypeV2)
	}
	if len(auth) > 0 {
		req.Header["Authorization"] = auth
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res, nil
}

// hsChallenge is a fresh challenge: one unauthenticated request.
func hsChallenge(t *testing.T, c *http.Client, srv *atlastest.Server) *digest.Challenge {
	t.Helper()
	return challengeOf(t, hsRequest(t, c, srv, http.MethodDelete, hsPathA))
}

// hsCreds are correct credentials for method on uri under chal, count nc.
func hsCreds(t *testing.T, srv *atlastest.Server, chal *digest.Challenge, method, uri string, nc int) *digest.Credentials {
	t.Helper()
	creds, err := digest.Digest(chal, digest.Options{
		Method: method, URI: uri, Count: nc, Username: srv.PublicKey(), Password: srv.PrivateKey(), Cnonce: fmt.Sprintf("hs%08x", nc),
	})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// hsLinked creates orgA's link with a proper client and returns its token,
// so that a refused create (token unchanged) and a refused remove (link
// still there) can both be told from success.
func hsLinked(t *testing.T, srv *atlastest.Server) string {
	t.Helper()
	res := hsRequestWith(t, srv.DigestClient(), srv, http.MethodPost, hsPathA)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("setting up the link: %d", res.StatusCode)
	}
	tok, ok := srv.LinkToken(orgA)
	if !ok {
		t.Fatal("no link after a 201")
	}
	return tok
}

func hsRequestWith(t *testing.T, c *http.Client, srv *atlastest.Server, method, path string) *http.Response {
	t.Helper()
	c.Timeout = hsDeadline
	return hsRequest(t, c, srv, method, path)
}

// hsUnchanged fails t unless orgA's link is still want.
func hsUnchanged(t *testing.T, srv *atlastest.Server, want string) {
	t.Helper()
	if got, ok := srv.LinkToken(orgA); !ok || got != want {
		t.Errorf("the link changed (present %v, same token %v)", ok, got == want)
	}
}

func hsRefused(t *testing.T, what string, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Errorf("%s: %d, want %d", what, res.StatusCode, want)
	}
	if want == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: 401 without a challenge", what)
	}
}

func TestHostileOversizedBodies(t *testing.T) {
	const limit = 1 << 10
	srv := testatlas.NewServer(t, atlastest.WithMaxBodyBytes(limit))
	// Credentials by hand: a digest transport reads a whole body into
	// memory to be able to resend it, so it never ends an endless one.
	c := hsClient(t)
	huge := `{"accessListIps":["` + strings.Repeat("1", 4*limit) + `"]}`
	for _, tc := range []struct {
		name string
		body func() io.Reader // a bytes.Reader has a length; a pipe does not (chunked)
	}{
		{"declared length", func() io.Reader { return strings.NewReader(huge) }},
		{"chunked", func() io.Reader { return io.MultiReader(strings.NewReader(huge)) }},
		{"chunked, endless", func() io.Reader { return hsEndless{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+hsPathA, tc.body())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			req.Header.Set("Content-Type", atlastest.MediaTypeV2)
			req.Header.Set("Authorization", hsCreds(t, srv, hsChallenge(t, c, srv), http.MethodPost, hsPathA, 1).String())
			res, err := c.Do(req)
			if err != nil {
				// The server may hang up on a body it will not read; what
				// it must not do is take it.
				t.Logf("the server hung up: %v", err)
			} else {
				res.Body.Close()
				if res.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("%d, want 413", res.StatusCode)
				}
			}
			if srv.LinkCount() != 0 {
				t.Error("an oversized body made a link")
			}
		})
	}
	// Unauthenticated, the body is never read: a challenge, at once.
	res, err := c.Post(srv.URL()+hsPathA, atlastest.MediaTypeV2, strings.NewReader(huge))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	hsRefused(t, "unauthenticated huge body", res, http.StatusUnauthorized)
	if srv.LinkCount() != 0 {
		t.Error("an oversized body made a link")
	}
}

// hsEndless is a JSON body that never ends: a string of 1s.
type hsEndless struct{}

var hsEndlessStart = []byte(`{"accessListIps":["`)

func (hsEndless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '1'
	}
	if len(p) >= len(hsEndlessStart) {
		copy(p, hsEndlessStart) // every chunk restarts: still invalid, never ending
	}
	return len(p), nil
}

// hsDial opens a raw connection with a deadline.
func hsDial(t *testing.T, srv *atlastest.Server) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL(), "http://"), hsDeadline)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(hsDeadline)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// hsHungUp reports whether the server closed conn (EOF or reset) rather than
// the deadline passing, reading and discarding anything it sent first.
func hsHungUp(conn net.Conn) (sent string, closed bool) {
	b, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(b), false
	}
	return string(b), true
}

func TestHostileSlowHeadersAreCut(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServerLimits(func(l *serverlimits.Limits) { l.ReadHeader = 300 * time.Millisecond }))
	const conns = 16
	var wg sync.WaitGroup
	closed := make(chan bool, conns)
	for range conns {
		conn := hsDial(t, srv)
		wg.Add(2)
		// The slowloris: a header line, then one more byte every 50ms for
		// as long as the server listens (the writes fail once it hangs up).
		go func() {
			defer wg.Done()
			if _, err := io.WriteString(conn, "DELETE "+hsPathA+" HTTP/1.1\r\nHost: atlas\r\n"); err != nil {
				return
			}
			for {
				time.Sleep(50 * time.Millisecond)
				if _, err := io.WriteString(conn, "X"); err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			// net/http may say 400 (or 408) as it hangs up; it must not
			// answer anything else.
			sent, ok := hsHungUp(conn)
			if sent != "" && !strings.HasPrefix(sent, "HTTP/1.1 400") && !strings.HasPrefix(sent, "HTTP/1.1 408") {
				t.Errorf("the server answered a request whose headers never ended: %q", sent)
			}
			conn.Close() // stops the writer
			closed <- ok
		}()
	}
	wg.Wait()
	close(closed)
	for ok := range closed {
		if !ok {
			t.Fatalf("a connection sending headers a byte at a time was still open after %s", hsDeadline)
		}
	}
	if st := srv.Stats(); st.Exchanges != 0 {
		t.Errorf("%d exchanges reached the service", st.Exchanges)
	}
}

func TestHostileIdleAndSlowBodyConnectionsAreCut(t *testing.T) {
	t.Parallel() // it mostly waits for the server's timeouts
	// 1s: short for the test, long enough that the ordinary requests of the
	// setup never meet the limits on a loaded machine.
	srv := testatlas.NewServer(t, atlastest.WithServerLimits(func(l *serverlimits.Limits) {
		l.ReadHeader, l.Read, l.Idle = time.Second, time.Second, time.Second
	}))
	tok := hsLinked(t, srv)

	t.Run("connected, silent", func(t *testing.T) {
		conn := hsDial(t, srv)
		if _, ok := hsHungUp(conn); !ok {
			t.Fatal("a silent connection was never closed")
		}
	})
	t.Run("body promised, never sent", func(t *testing.T) {
		// Content-Length longer than the body: the server reads what came,
		// waits for the rest until its read timeout, and refuses.
		c := hsClient(t)
		creds := hsCreds(t, srv, hsChallenge(t, c, srv), http.MethodPost, hsPathA, 1)
		conn := hsDial(t, srv)
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: atlas\r\nAccept: %s\r\nContent-Type: %s\r\nAuthorization: %s\r\nContent-Length: 1000\r\n\r\n%s",
			hsPathA, atlastest.MediaTypeV2, atlastest.MediaTypeV2, creds, hsBody)
		sent, ok := hsHungUp(conn)
		if !ok {
			t.Fatal("a connection owing 968 body bytes was never closed")
		}
		if sent != "" && !strings.HasPrefix(sent, "HTTP/1.1 400") {
			t.Errorf("answer %q, want a 400 or nothing", hsFirstLine(sent))
		}
		hsUnchanged(t, srv, tok)
	})
}

func hsFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

func TestHostileContentLengthLies(t *testing.T) {
	srv := testatlas.NewServer(t)
	tok := hsLinked(t, srv)
	c := hsClient(t)
	for _, tc := range []struct {
		name    string
		headers string // after Authorization
		body    string
		// first is the status line the first response must start with.
		first string
	}{
		// The server reads 10 bytes, which are not JSON; the rest is a
		// malformed second request, refused by net/http.
		{"shorter than the body", "Content-Length: 10\r\n", hsBody, "HTTP/1.1 400"},
		{"two different lengths", fmt.Sprintf("Content-Length: %d\r\nContent-Length: 3\r\n", len(hsBody)), hsBody, "HTTP/1.1 400"},
		{"negative", "Content-Length: -1\r\n", hsBody, "HTTP/1.1 400"},
		{"not a number", "Content-Length: 0x20\r\n", hsBody, "HTTP/1.1 400"},
		// The client promises more than it sends and then says it is done:
		// the server meets the end of the body early and refuses.
		{"longer than the body", fmt.Sprintf("Content-Length: %d\r\n", len(hsBody)+100), hsBody, "HTTP/1.1 400"},
		{"and chunked", fmt.Sprintf("Content-Length: %d\r\nTransfer-Encoding: chunked\r\n", len(hsBody)+100), "3\r\n{\"a\r\n0\r\n\r\n", "HTTP/1.1 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds := hsCreds(t, srv, hsChallenge(t, c, srv), http.MethodPost, hsPathA, 1)
			conn := hsDial(t, srv)
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: atlas\r\nAccept: %s\r\nContent-Type: %s\r\nAuthorization: %s\r\n%s\r\n%s",
				hsPathA, atlastest.MediaTypeV2, atlastest.MediaTypeV2, creds, tc.headers, tc.body)
			// Half-close: nothing more is coming, so a server still waiting
			// for body bytes sees EOF rather than its read timeout.
			_ = conn.(*net.TCPConn).CloseWrite()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			res.Body.Close()
			if line := fmt.Sprintf("HTTP/1.1 %d", res.StatusCode); !strings.HasPrefix(line, tc.first) {
				t.Errorf("%s, want %s", line, tc.first)
			}
			if _, ok := hsHungUp(conn); !ok {
				t.Error("the connection stayed open after a lying request")
			}
			hsUnchanged(t, srv, tok)
		})
	}
}

func TestHostileNonceFloodStaysBounded(t *testing.T) {
	const maxNonces, goroutines, each = 64, 8, 250 // 2,000 challenges
	srv := testatlas.NewServer(t, atlastest.WithMaxNonces(maxNonces))
	tok := hsLinked(t, srv)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		peak    int
		answers = map[int]int{}
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := hsClient(t)
			for i := range each {
				var auth []string
				if i%2 == 1 {
					// A well-formed digest over a nonce the server never
					// issued: stale, and one more fresh nonce.
					chal := &digest.Challenge{Realm: atlastest.Realm, Nonce: fmt.Sprintf("made-up-%d-%d", g, i), Algorithm: "MD5", QOP: []string{"auth"}}
					creds, err := digest.Digest(chal, digest.Options{
						Method: http.MethodDelete, URI: hsPathA, Count: 1, Username: srv.PublicKey(), Password: srv.PrivateKey(), Cnonce: "flood",
					})
					if err != nil {
						t.Error(err)
						return
					}
					auth = []string{creds.String()}
				}
				res, err := hsDo(t, c, srv, http.MethodDelete, hsPathA, auth...)
				if err != nil {
					t.Error(err)
					return
				}
				n := atlastest.OutstandingNonces(srv.Service)
				mu.Lock()
				answers[res.StatusCode]++
				peak = max(peak, n)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if peak > maxNonces || atlastest.OutstandingNonces(srv.Service) > maxNonces {
		t.Errorf("outstanding nonces peaked at %d, now %d; the bound is %d", peak, atlastest.OutstandingNonces(srv.Service), maxNonces)
	}
	if answers[http.StatusUnauthorized] != goroutines*each || len(answers) != 1 {
		t.Errorf("answers %v, want %d × 401", answers, goroutines*each)
	}
	st := srv.Stats()
	if st.StaleChallenges != goroutines*each/2 {
		t.Errorf("%d stale challenges, want %d (one per made-up nonce)", st.StaleChallenges, goroutines*each/2)
	}
	hsUnchanged(t, srv, tok)
	// The flood evicted every nonce a real client held: it recovers with
	// one stale round trip.
	if res := hsRequestWith(t, srv.DigestClient(), srv, http.MethodDelete, hsPathA); res.StatusCode != http.StatusNoContent {
		t.Errorf("a real client after the flood: %d", res.StatusCode)
	}
}

func TestHostileReplayedNonceCount(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := hsClient(t)
	tok := hsLinked(t, srv)
	chal := hsChallenge(t, c, srv)
	create1 := hsCreds(t, srv, chal, http.MethodPost, hsPathA, 1).String()
	if res := hsRequest(t, c, srv, http.MethodPost, hsPathA, create1); res.StatusCode != http.StatusCreated {
		t.Fatalf("the original create: %d", res.StatusCode)
	}
	tok2, _ := srv.LinkToken(orgA)
	if tok2 == tok {
		t.Fatal("the create did not replace the token")
	}
	// The same header again: a replay, refused; the token stays the one the
	// original create issued.
	hsRefused(t, "replayed create", hsRequest(t, c, srv, http.MethodPost, hsPathA, create1), http.StatusUnauthorized)
	hsUnchanged(t, srv, tok2)
	// A later count goes through; then an earlier one, never used, is still
	// refused: counts must rise (no window by default).
	remove3 := hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 3).String()
	remove2 := hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 2).String()
	if res := hsRequest(t, c, srv, http.MethodDelete, hsPathA, remove3); res.StatusCode != http.StatusNoContent {
		t.Fatalf("remove with nc=3: %d", res.StatusCode)
	}
	tok3 := hsLinked(t, srv)
	hsRefused(t, "remove with a lower nc", hsRequest(t, c, srv, http.MethodDelete, hsPathA, remove2), http.StatusUnauthorized)
	hsRefused(t, "replayed remove", hsRequest(t, c, srv, http.MethodDelete, hsPathA, remove3), http.StatusUnauthorized)
	hsUnchanged(t, srv, tok3)
}

func TestHostileDigestForAnotherRealmURIOrMethod(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := hsClient(t)
	tok := hsLinked(t, srv)
	for _, tc := range []struct {
		name string
		auth func(chal *digest.Challenge) string
	}{
		{"another realm", func(chal *digest.Challenge) string {
			other := *chal
			other.Realm = "Some Other API"
			return hsCreds(t, srv, &other, http.MethodDelete, hsPathA, 1).String()
		}},
		{"realm renamed after signing", func(chal *digest.Challenge) string {
			creds := hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 1)
			creds.Realm = "mms public api"
			return creds.String()
		}},
		{"another organization's URI", func(chal *digest.Challenge) string {
			return hsCreds(t, srv, chal, http.MethodDelete, hsPathB, 1).String()
		}},
		{"URI with another query", func(chal *digest.Challenge) string {
			return hsCreds(t, srv, chal, http.MethodDelete, hsPathA+"?envelope=true", 1).String()
		}},
		{"URI swapped after signing", func(chal *digest.Challenge) string {
			creds := hsCreds(t, srv, chal, http.MethodDelete, hsPathB, 1)
			creds.URI = hsPathA
			return creds.String()
		}},
		{"signed for POST", func(chal *digest.Challenge) string {
			return hsCreds(t, srv, chal, http.MethodPost, hsPathA, 1).String()
		}},
		{"wrong private key", func(chal *digest.Challenge) string {
			creds, err := digest.Digest(chal, digest.Options{Method: http.MethodDelete, URI: hsPathA, Count: 1, Username: srv.PublicKey(), Password: "not-the-key", Cnonce: "c"})
			if err != nil {
				t.Fatal(err)
			}
			return creds.String()
		}},
		{"qop left out", func(chal *digest.Challenge) string {
			noQOP := *chal
			noQOP.QOP = nil
			return hsCreds(t, srv, &noQOP, http.MethodDelete, hsPathA, 1).String()
		}},
		{"unknown algorithm", func(chal *digest.Challenge) string {
			creds := hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 1)
			creds.Algorithm = "SHA-512-256"
			return creds.String()
		}},
		{"nc zero", func(chal *digest.Challenge) string {
			creds := hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 1)
			creds.Nc = 0
			return creds.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := tc.auth(hsChallenge(t, c, srv))
			hsRefused(t, tc.name, hsRequest(t, c, srv, http.MethodDelete, hsPathA, auth), http.StatusUnauthorized)
			hsUnchanged(t, srv, tok)
		})
	}
}

// Scheme names are case-insensitive (RFC 9110 §11.1), and the service
// follows the RFC: the live service's behaviour with "digest" cannot be
// observed from here, every real client sends "Digest", and a case change
// alters nothing about how the credential itself is checked. So a correct
// credential under any spelling is accepted, and a wrong one under any
// spelling is refused.
func TestHostileSchemeNameCase(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithServiceAccount("mdb_sa_id_hs", "mdb_sa_sk_hs"))
	c := hsClient(t)
	for _, scheme := range []string{"digest", "DIGEST", "dIgEsT"} {
		t.Run(scheme, func(t *testing.T) {
			tok := hsLinked(t, srv)
			chal := hsChallenge(t, c, srv)
			wrong := hsCreds(t, srv, chal, http.MethodDelete, hsPathB, 1).String()
			wrong = scheme + strings.TrimPrefix(wrong, "Digest")
			hsRefused(t, "wrong credential", hsRequest(t, c, srv, http.MethodDelete, hsPathA, wrong), http.StatusUnauthorized)
			hsUnchanged(t, srv, tok)
			right := scheme + strings.TrimPrefix(hsCreds(t, srv, chal, http.MethodDelete, hsPathA, 2).String(), "Digest")
			if res := hsRequest(t, c, srv, http.MethodDelete, hsPathA, right); res.StatusCode != http.StatusNoContent {
				t.Errorf("a correct credential under %q: %d, want 204", scheme, res.StatusCode)
			}
		})
	}
	for _, tc := range []struct{ name, header string }{
		{"no space after the scheme", "Digestusername=\"x\""},
		{"scheme alone", "Digest"},
		{"Basic", "Basic eDp5"},
		{"bearer with a made-up token", "bearer 0123456789abcdef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := hsLinked(t, srv)
			hsRefused(t, tc.name, hsRequest(t, c, srv, http.MethodDelete, hsPathA, tc.header), http.StatusUnauthorized)
			hsUnchanged(t, srv, tok)
		})
	}
	t.Run("bearer, lower-case, real token", func(t *testing.T) {
		hsLinked(t, srv)
		res, err := c.PostForm(srv.URL()+"/api/oauth/token", map[string][]string{
			"grant_type": {"client_credentials"}, "client_id": {"mdb_sa_id_hs"}, "client_secret": {"mdb_sa_sk_hs"},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("no token: %v", err)
		}
		if r := hsRequest(t, c, srv, http.MethodDelete, hsPathA, "bearer "+tok.AccessToken); r.StatusCode != http.StatusNoContent {
			t.Errorf("lower-case bearer with a real token: %d, want 204", r.StatusCode)
		}
	})
}

func TestHostileDuplicatedHeaders(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := hsClient(t)
	tok := hsLinked(t, srv)
	t.Run("Authorization", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			pair  func(right string) []string
			nonce bool
		}{
			{"right then garbage", func(r string) []string { return []string{r, `Digest username="x"`} }, true},
			{"garbage then right", func(r string) []string { return []string{`Digest username="x"`, r} }, true},
			{"right twice", func(r string) []string { return []string{r, r} }, true},
			{"right digest and a bearer", func(r string) []string { return []string{r, "Bearer abc"} }, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				right := hsCreds(t, srv, hsChallenge(t, c, srv), http.MethodDelete, hsPathA, 1).String()
				hsRefused(t, tc.name, hsRequest(t, c, srv, http.MethodDelete, hsPathA, tc.pair(right)...), http.StatusUnauthorized)
				hsUnchanged(t, srv, tok)
				// Ambiguity refused the request before the nonce was looked
				// at: the same credential alone still works, once.
				if res := hsRequest(t, c, srv, http.MethodDelete, hsPathA, right); res.StatusCode != http.StatusNoContent {
					t.Errorf("the credential alone afterwards: %d, want 204", res.StatusCode)
				}
				tok = hsLinked(t, srv)
			})
		}
	})
	t.Run("Content-Type", func(t *testing.T) {
		for _, pair := range [][]string{
			{atlastest.MediaTypeV2, atlastest.MediaTypeV2},
			{atlastest.MediaTypeV2, "text/plain"},
			{"text/plain", atlastest.MediaTypeV2},
		} {
			right := hsCreds(t, srv, hsChallenge(t, c, srv), http.MethodPost, hsPathA, 1).String()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+hsPathA, strings.NewReader(hsBody))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			req.Header.Set("Authorization", right)
			req.Header["Content-Type"] = pair
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			hsRefused(t, fmt.Sprintf("Content-Type %q", pair), res, http.StatusUnsupportedMediaType)
			hsUnchanged(t, srv, tok)
		}
	})
}

func TestHostileOversizedHeaders(t *testing.T) {
	srv := testatlas.NewServer(t)
	tok := hsLinked(t, srv)
	c := hsClient(t)
	limit := atlastest.ServerLimitsOf(srv.Service).MaxHeaderBytes
	srv.ResetStats()
	for _, tc := range []struct{ name, header, value string }{
		{"one huge header", "X-Padding", strings.Repeat("a", 2*limit)},
		{"a huge Authorization", "Authorization", `Digest username="` + strings.Repeat("a", 2*limit) + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodDelete, srv.URL()+hsPathA, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(tc.header, tc.value)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			hsRefused(t, tc.name, res, http.StatusRequestHeaderFieldsTooLarge)
			hsUnchanged(t, srv, tok)
		})
	}
	if st := srv.Stats(); st.Exchanges != 0 {
		t.Errorf("%d oversized requests reached the service", st.Exchanges)
	}
}

// Unauthenticated requests naming thousands of distinct organizations leave
// nothing behind: their 401s report the rate limit without creating a
// bucket per organization.
func TestHostileOrganizationFloodLeavesNoState(t *testing.T) {
	const n = 2000
	srv := testatlas.NewServer(t, atlastest.WithMaxNonces(16))
	c := hsClient(t)
	for i := range n {
		path := fmt.Sprintf("%s/orgs/%024x/liveMigrations/linkTokens", atlastest.BasePathV2, 0xbad0000+i)
		res := hsRequest(t, c, srv, http.MethodDelete, path)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("RateLimit-Remaining") == "" {
			t.Fatalf("request %d: %d, RateLimit-Remaining %q", i, res.StatusCode, res.Header.Get("RateLimit-Remaining"))
		}
	}
	if b := atlastest.RateLimitBuckets(srv.Service); b > 1 {
		t.Errorf("%d rate-limit buckets after %d unauthenticated requests", b, n)
	}
	if nn := atlastest.OutstandingNonces(srv.Service); nn > 16 {
		t.Errorf("%d outstanding nonces, the bound is 16", nn)
	}
}

// TestHostileAuthenticatedOrganizationFloodStaysBounded: an authenticated
// caller naming endless organizations leaves at most the bound of
// rate-limit buckets and of organizations' link state, the least recently
// used dropped first and counted; an organization it keeps using is never
// the one dropped, so it stays limited.
func TestHostileAuthenticatedOrganizationFloodStaysBounded(t *testing.T) {
	const bound, flood = 64, 1000
	srv := testatlas.NewServer(t, atlastest.WithoutAuthentication(), atlastest.WithRateLimit(3, time.Hour),
		atlastest.WithMaxResources(bound))
	c := hsClient(t)
	busy := fmt.Sprintf("%s/orgs/%024x/liveMigrations/linkTokens", atlastest.BasePathV2, 0xb00)
	for i := range flood {
		path := fmt.Sprintf("%s/orgs/%024x/liveMigrations/linkTokens", atlastest.BasePathV2, 0xf100d000+i)
		if res := hsRequest(t, c, srv, http.MethodPost, path); res.StatusCode != http.StatusCreated {
			t.Fatalf("request %d: %d, want 201", i, res.StatusCode)
		}
		if i%2 == 0 && i < 6 {
			hsRequest(t, c, srv, http.MethodDelete, busy) // keeps busy recently used
		}
	}
	if b, o, l := atlastest.RateLimitBuckets(srv.Service), atlastest.OrganizationStates(srv.Service), srv.LinkCount(); b > bound || o > bound || l > bound {
		t.Fatalf("after %d organizations: %d buckets, %d organizations' state, %d links; the bound is %d", flood, b, o, l, bound)
	}
	statuses := []int{}
	for range 4 {
		statuses = append(statuses, hsRequest(t, c, srv, http.MethodDelete, busy).StatusCode)
	}
	if statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("requests within the hour got %v, want the last to be 429", statuses)
	}
}
