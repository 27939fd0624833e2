package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// demoOrg is the organization the demo works on (the contract's example id).
const demoOrg = "4888442a3354817a7320eb61"

// demoOptions are demo's flags.
type demoOptions struct {
	apiVersion string
	envelope   bool
}

func newDemoCmd(e *env) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the client against an in-memory Atlas and check every exchange against the contract",
		Long: `A link-token lets a Cloud Manager or Ops Manager organization push a live migration
into an Atlas organization.

demo starts the in-memory Atlas (atlastest) on loopback, then, through the full client
with contract validation on the wire, creates a link-token, shows a bad input refused
before sending, removes the link, and removes it again (404). It prints one line per
HTTP exchange (method, path, status, contract verdict) and a summary.

Exit 0 only when every step behaved as expected and every exchange conformed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			version, err := o.validate()
			if err != nil {
				return err
			}
			return runDemo(e, version, o.envelope)
		},
	}
	cmd.Flags().StringVar(&o.apiVersion, "api-version", string(atlas.APIVersionV2), "API version: v2 or v1.0")
	cmd.Flags().BoolVar(&o.envelope, "envelope", false, "ask for enveloped responses (envelope=true)")
	return cmd
}

// validate reads --api-version.
func (o *demoOptions) validate() (atlas.APIVersion, error) {
	version, err := atlas.ParseAPIVersion(o.apiVersion)
	if err != nil {
		return "", usageError("--api-version: %w", err)
	}
	return version, nil
}

// demoServerHook wraps the in-memory Atlas's handler; tests replace it to
// make the server break the contract and prove the demo then fails.
var demoServerHook = func(h http.Handler) http.Handler { return h }

// demoExchange is one HTTP exchange as the demo saw it on the wire.
type demoExchange struct {
	method, path string
	status       int
	err          error
	violations   contract.Violations
}

// demoRecorder sits on the wire, below digest: each exchange goes through its
// own contract.NewTransport so the verdict belongs to exactly that exchange.
type demoRecorder struct {
	v    *contract.Validator
	next http.RoundTripper
	out  io.Writer

	mu        sync.Mutex
	exchanges []demoExchange
}

func (d *demoRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var vs contract.Violations
	var vmu sync.Mutex
	t := contract.NewTransport(d.v, d.next, func(found contract.Violations) {
		vmu.Lock()
		vs = append(vs, found...)
		vmu.Unlock()
	})
	resp, err := t.RoundTrip(r)
	ex := demoExchange{method: r.Method, path: r.URL.Path, err: err}
	if err == nil {
		ex.status = resp.StatusCode
	}
	vmu.Lock()
	ex.violations = vs
	vmu.Unlock()
	d.mu.Lock()
	d.exchanges = append(d.exchanges, ex)
	n := len(d.exchanges)
	d.mu.Unlock()
	verdict := "conforms"
	switch {
	case err != nil:
		verdict = "no response: " + err.Error()
	case len(vs) > 0:
		verdict = fmt.Sprintf("VIOLATES the contract (%d): %s", len(vs), strings.Join(vs.Rules(), ", "))
	}
	fmt.Fprintf(d.out, "  #%d %-6s %s → %d  %s\n", n, r.Method, r.URL.RequestURI(), ex.status, verdict)
	return resp, err
}

func (d *demoRecorder) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.exchanges)
}

func runDemo(e *env, version atlas.APIVersion, envelope bool) error {
	// Under the secret scan, the demo's key and tokens are recorded, so the
	// scan proves the demo prints none of them.
	svc, err := atlastest.New(atlastest.WithSecretLog(secretlog.FromEnv()))
	if err != nil {
		return apiError(fmt.Errorf("starting the in-memory Atlas: %w", err))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return apiError(fmt.Errorf("listening on loopback: %w", err))
	}
	srv := serverlimits.NewServer(svc) // bounded, so a slow client cannot hold the demo
	srv.Handler = demoServerHook(svc)
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	root := "http://" + ln.Addr().String() + "/"

	v, err := contract.New(contract.Strict())
	if err != nil {
		return apiError(fmt.Errorf("loading the contract: %w", err))
	}
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	rec := &demoRecorder{v: v, next: base, out: e.stdout}
	c, err := atlas.NewClient(
		atlas.WithBaseURL(root),
		atlas.WithAPIVersion(version),
		atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
		atlas.WithEnvelope(envelope),
		atlas.WithHTTPClient(&http.Client{Transport: base, Timeout: 10 * time.Second}),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec }),
	)
	if err != nil {
		return apiError(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	fmt.Fprintln(e.stdout, "A link-token lets a Cloud Manager or Ops Manager organization push a live migration into an Atlas organization.")
	fmt.Fprintf(e.stdout, "In-memory Atlas on %s (API %s, digest auth%s); organization %s\n", root, version,
		map[bool]string{false: "", true: ", envelope=true"}[envelope], demoOrg)
	failures := demoSteps(ctx, e.stdout, c, rec)
	return demoVerdict(e, rec, failures)
}

// demoSteps walks the demo's four steps, printing each, and returns what
// did not go as expected.
func demoSteps(ctx context.Context, out io.Writer, c *atlas.Client, rec *demoRecorder) []string {
	var failures []string
	step := func(title string) { fmt.Fprintf(out, "\n%s\n", title) }
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		failures = append(failures, msg)
		fmt.Fprintf(out, "  ✗ %s\n", msg)
	}
	ok := func(format string, args ...any) { fmt.Fprintf(out, "  ✓ "+format+"\n", args...) }

	step("1. Create a link-token (access list 192.0.2.10, 2001:db8::/32)")
	tok, err := c.CreateLinkToken(ctx, demoOrg, "192.0.2.10", "2001:db8::/32")
	switch {
	case err != nil:
		fail("create failed: %v", err)
	case tok.IsZero():
		fail("create returned an empty token")
	default:
		ok("created; the token prints as %v (%d characters; the create command reveals it)", tok, len(tok.Reveal()))
	}

	step("2. Bad input is refused before any byte is sent")
	before := rec.count()
	_, err = c.CreateLinkToken(ctx, demoOrg, "10.0.0.1/24")
	switch {
	case !errors.Is(err, atlas.ErrInvalidInput):
		fail("bad access list entry was not refused: %v", err)
	case rec.count() != before:
		fail("bad input reached the wire (%s)", plural.Count(rec.count()-before, "exchange"))
	default:
		ok("refused with no exchange: %v", err)
	}

	step("3. Remove the link")
	if err := c.DeleteLinkToken(ctx, demoOrg); err != nil {
		fail("remove failed: %v", err)
	} else {
		ok("removed")
	}

	step("4. Remove it again: 404")
	err = c.DeleteLinkToken(ctx, demoOrg)
	var apiErr *atlas.APIError
	if errors.Is(err, atlas.ErrNotFound) && errors.As(err, &apiErr) {
		ok("404 Not Found, as expected: no link is left to remove")
		// The code is what the live service sends for this 404 (recorded);
		// next to a tick it would read as the demo's own failure.
		fmt.Fprintf(out, "    the service answers this 404 with errorCode %s, the service's own code for a missing link (the live one sends it too), not a failure of the demo\n", apiErr.ErrorCode)
	} else {
		fail("second remove: want a 404, got %v", err)
	}

	return failures
}

// demoVerdict prints every violation on the wire and the summary; the demo
// passes only when every step went as expected and every exchange conformed.
func demoVerdict(e *env, rec *demoRecorder, failures []string) error {
	rec.mu.Lock()
	exchanges := append([]demoExchange(nil), rec.exchanges...)
	rec.mu.Unlock()
	conforming, challenges := 0, 0
	for _, x := range exchanges {
		if x.err == nil && len(x.violations) == 0 {
			conforming++
		}
		if x.status == http.StatusUnauthorized {
			challenges++
		}
		for _, v := range x.violations {
			fmt.Fprintf(e.stderr, "violation: %v\n", v)
		}
	}
	fmt.Fprintf(e.stdout, "\nSummary: %s (%s), %d conform to the contract, %d do not; %d of 4 steps as expected.\n",
		plural.Count(len(exchanges), "exchange"), plural.Count(challenges, "digest challenge"), conforming, len(exchanges)-conforming, 4-len(failures))
	if conforming != len(exchanges) || len(failures) > 0 || len(exchanges) == 0 {
		return apiError(fmt.Errorf("demo failed: %s, %s", plural.Count(len(exchanges)-conforming, "non-conforming exchange"), plural.Count(len(failures), "unexpected outcome")))
	}
	fmt.Fprintln(e.stdout, "Every exchange conformed.")
	return nil
}
