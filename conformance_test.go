package linktoken_test

// End to end: every contract fixture replayed over a real loopback connection
// through the validating transport, and the full client (retries → digest →
// contract validation on the wire) against the in-memory Atlas for every
// outcome the service can give.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

var confValidator = contract.MustNew(contract.Strict())

// confFixtures lists every exchange file under contract/testdata.
func confFixtures(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{
		"contract/testdata/live/*.http",
		"contract/testdata/seed/*.http",
		"contract/testdata/conforming/*/*.http",
		"contract/testdata/violations/*/*.http",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, recorded.RequestFileSuffix) {
				files = append(files, f)
			}
		}
	}
	if len(files) < 100 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	return files
}

// violationKeys reduces violations to what identifies them, without the
// exchange name (which differs between a file and the wire).
func violationKeys(vs contract.Violations) []string {
	keys := make([]string, 0, len(vs))
	for _, v := range vs {
		keys = append(keys, fmt.Sprintf("%s %s %s %s", v.Side, v.Part, v.Pointer, v.Rule))
	}
	slices.Sort(keys)
	return keys
}

// wireBlindSpots are fixtures whose violation Go's HTTP client cannot
// deliver to a RoundTripper, so the verdict on the wire differs by design.
var wireBlindSpots = map[string]string{
	// net/http never exposes a body on a 204: the transport discards it.
	"204_response-body-on-204_v2.http": "Go's client drops a 204's body",
}

// TestEveryFixtureOnTheWire replays each fixture over loopback: a raw server
// answers with the fixture's response byte for byte, a Go client sends the
// fixture's request through contract.NewTransport, and the violations found on
// the wire must be exactly those found reading the file.
func TestEveryFixtureOnTheWire(t *testing.T) {
	t.Parallel()
	conforming, violating := 0, 0
	for _, file := range confFixtures(t) {
		exchanges, err := recorded.ReadHTTPFile(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, ex := range exchanges {
			t.Run(fmt.Sprintf("%s#%d", file, i), func(t *testing.T) {
				res, err := confValidator.Check(ex)
				if err != nil {
					t.Fatalf("offline check: %v", err)
				}
				offline := res.Violations
				if strings.Contains(file, "/violations/") && len(offline) == 0 {
					t.Fatalf("a violation fixture conforms")
				}
				if !strings.Contains(file, "/violations/") && len(offline) != 0 {
					t.Fatalf("a conforming fixture breaks the contract: %v", offline)
				}
				if len(offline) == 0 {
					conforming++
				} else {
					violating++
				}
				onWire := confReplay(t, ex)
				want := violationKeys(offline)
				if reason, blind := wireBlindSpots[filepath.Base(file)]; blind {
					if slices.Equal(violationKeys(onWire), want) {
						t.Fatalf("listed as a wire blind spot (%s) but the wire saw it: drop it from the list", reason)
					}
					return
				}
				if got := violationKeys(onWire); !slices.Equal(got, want) {
					t.Fatalf("on the wire:\n  %s\nreading the file:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			})
		}
	}
	if conforming < 50 || violating < 40 {
		t.Fatalf("replayed %d conforming and %d violating exchanges; want at least 50 and 40", conforming, violating)
	}
}

// confReplay sends ex.Request over loopback to a server that answers with
// ex.Response verbatim, and returns what the validating transport reported.
func confReplay(t *testing.T, ex *contract.Exchange) contract.Violations {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	served := make(chan error, 1)
	go func() { served <- confServeOnce(ln, ex.Response) }()

	u := *ex.Request.URL
	u.Scheme, u.Host = "http", ln.Addr().String()
	req, err := http.NewRequest(ex.Request.Method, u.String(), bytes.NewReader(ex.Request.Body))
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Request.Body) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range ex.Request.Header {
		if k != "Content-Length" && k != "Host" {
			req.Header[k] = slices.Clone(vs)
		}
	}
	var (
		mu  sync.Mutex
		got contract.Violations
	)
	transport := contract.NewTransport(confValidator, &http.Transport{DisableKeepAlives: true}, func(vs contract.Violations) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, vs...)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := transport.RoundTrip(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	// The caller still reads the whole body the server sent.
	if body, err := io.ReadAll(resp.Body); err != nil || (resp.StatusCode != http.StatusNoContent && !bytes.Equal(body, ex.Response.Body)) {
		t.Errorf("the transport changed the body: read %q (%v), server sent %q", body, err, ex.Response.Body)
	}
	resp.Body.Close()
	if err := <-served; err != nil {
		t.Fatalf("replay server: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return got
}

// confServeOnce answers one request on ln with resp, writing its status line,
// headers and body as recorded (only Content-Length is recomputed).
func confServeOnce(ln net.Listener, resp *contract.Response) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	for k, vs := range resp.Header {
		if k == "Content-Length" || k == "Transfer-Encoding" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(resp.Body))
	b.Write(resp.Body)
	_, err = conn.Write(b.Bytes())
	return err
}

// confClient is the full client stack of an importer's test: retries, digest,
// and contract validation on the wire (failing t on any violation), against
// srv, on the given API version.
func confClient(t *testing.T, srv *atlastest.Server, version atlas.APIVersion, opts ...atlas.Option) *atlas.Client {
	t.Helper()
	base := append([]atlas.Option{
		atlas.WithBaseURL(srv.URL()),
		atlas.WithAPIVersion(version),
		atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()),
		// A transport of the test's own: these tests run in parallel, and
		// an httptest.Server's Close closes http.DefaultTransport's idle
		// connections under the others' feet.
		atlas.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
			return contract.TestTransport(t, next)
		}),
		atlas.WithRetryPolicy(atlas.RetryPolicy{
			MaxAttempts: 3,
			BaseDelay:   time.Millisecond,
			MaxDelay:    5 * time.Millisecond,
			// Retry-After is whole seconds: the waits are asked for and
			// skipped, to keep the suite fast.
			Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		}),
	}, opts...)
	c, err := atlas.NewClient(base...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// TestEndToEnd walks every outcome of both operations, on both API versions,
// with and without the envelope, through client → validation → digest →
// atlastest. Every exchange on the wire, the digest challenges included, is
// validated; TestTransport fails the test on any violation.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	const (
		org      = "4888442a3354817a7320eb61"
		otherOrg = "5888442a3354817a7320eb62"
		unknown  = "6888442a3354817a7320eb63"
	)
	for _, version := range []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1} {
		for _, envelope := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/envelope=%v", version, envelope), func(t *testing.T) {
				t.Parallel()
				srv := testatlas.NewServer(t, atlastest.WithOrganizations(org, otherOrg))
				c := confClient(t, srv, version, atlas.WithEnvelope(envelope), atlas.WithPretty(envelope))
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()

				// create → 201; the token is the one the service stored.
				tok, err := c.CreateLinkToken(ctx, org, "192.0.2.10", "10.0.0.0/24", "2001:db8::/32")
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				if stored, ok := srv.LinkToken(org); !ok || stored != tok.Reveal() {
					t.Fatal("the client's token is not the one the service stored")
				}
				content, err := atlastest.DecodeLinkToken(tok.Reveal())
				if err != nil || content.OrgID != org {
					t.Fatalf("token content %+v, %v", content, err)
				}
				// create again → replaces the link.
				tok2, err := c.CreateLinkToken(ctx, org)
				if err != nil || tok2.Reveal() == tok.Reveal() {
					t.Fatalf("second create: %v (same token: %v)", err, tok2.Reveal() == tok.Reveal())
				}
				// an active migration blocks the remove → 409.
				srv.SetMigrationActive(org, true)
				if err := c.DeleteLinkToken(ctx, org); !errors.Is(err, atlas.ErrConflict) ||
					!atlas.IsErrorCode(err, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK") {
					t.Fatalf("remove during a migration: %v", err)
				}
				srv.SetMigrationActive(org, false)
				// remove → 204, then again → 404 as recorded live.
				if err := c.DeleteLinkToken(ctx, org); err != nil {
					t.Fatalf("remove: %v", err)
				}
				err = c.DeleteLinkToken(ctx, org)
				var apiErr *atlas.APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.ErrorCode != "UNEXPECTED_ERROR" ||
					apiErr.Detail != "Could not find the requested external organization link." {
					t.Fatalf("second remove: %#v", err)
				}
				// an organization the service does not know → 404.
				if _, err := c.CreateLinkToken(ctx, unknown); !errors.Is(err, atlas.ErrNotFound) {
					t.Fatalf("unknown org: %v", err)
				}
				// 429 then success: the create is retried, as a 429 was not carried out.
				srv.InjectFault(1, atlastest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
				if _, err := c.CreateLinkToken(ctx, otherOrg); err != nil {
					t.Fatalf("create after a 429: %v", err)
				}
				// 500 on create: not repeated, the error surfaces.
				srv.InjectFault(1, atlastest.Fault{Status: http.StatusInternalServerError})
				before := srv.Stats().Count(atlastest.OpCreateLinkToken, http.StatusInternalServerError)
				if _, err := c.CreateLinkToken(ctx, otherOrg); atlas.StatusCode(err) != 500 {
					t.Fatalf("create meeting a 500: %v", err)
				}
				if n := srv.Stats().Count(atlastest.OpCreateLinkToken, http.StatusInternalServerError) - before; n != 1 {
					t.Fatalf("a create that met a 500 was sent %d times", n)
				}
				// 503 on remove: repeated, and it succeeds.
				srv.InjectFault(1, atlastest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: time.Second})
				if err := c.DeleteLinkToken(ctx, otherOrg); err != nil {
					t.Fatalf("remove after a 503: %v", err)
				}
				// every nonce goes stale: the client recovers on its own.
				srv.ExpireNonces()
				if _, err := c.CreateLinkToken(ctx, org); err != nil {
					t.Fatalf("create with a stale nonce: %v", err)
				}
				if srv.Stats().StaleChallenges == 0 {
					t.Fatal("no stale challenge was issued")
				}
			})
		}
	}
}

// TestEndToEndCredentials covers what a client cannot recover from.
func TestEndToEndCredentials(t *testing.T) {
	t.Parallel()
	const org = "4888442a3354817a7320eb61"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	owner := atlastest.GenerateAPIKey()
	member := atlastest.GenerateAPIKey()
	member.OrgOwner = false
	srv := testatlas.NewServer(t, atlastest.WithAPIKey(owner), atlastest.WithAPIKey(member))

	wrong := confClient(t, srv, atlas.APIVersionV2, atlas.WithDigest(owner.Public, "not-the-private-key"))
	if _, err := wrong.CreateLinkToken(ctx, org); !errors.Is(err, atlas.ErrUnauthorized) {
		t.Fatalf("wrong private key: %v", err)
	}
	noRole := confClient(t, srv, atlas.APIVersionV2, atlas.WithDigest(member.Public, member.Private))
	if _, err := noRole.CreateLinkToken(ctx, org); !errors.Is(err, atlas.ErrForbidden) {
		t.Fatalf("key without the Organization Owner role: %v", err)
	}
	if _, ok := srv.LinkToken(org); ok {
		t.Fatal("a refused create left a link behind")
	}
}

// TestEndToEndOneExchangePerCall holds the client to its promise: after the
// first call's challenge, one HTTP exchange per call.
func TestEndToEndOneExchangePerCall(t *testing.T) {
	t.Parallel()
	srv := testatlas.NewServer(t)
	c := confClient(t, srv, atlas.APIVersionV2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const calls = 50
	for i := range calls {
		org := fmt.Sprintf("%024x", i+1)
		if _, err := c.CreateLinkToken(ctx, org, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	st := srv.Stats()
	if st.Successes != calls || st.Challenges != 1 || st.Exchanges != calls+1 {
		t.Fatalf("%d calls: %d successes, %d challenges, %d exchanges; want %d, 1, %d",
			calls, st.Successes, st.Challenges, st.Exchanges, calls, calls+1)
	}
}
