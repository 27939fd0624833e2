package main

import (
	"context"
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
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// serveShutdownGrace bounds how long in-flight exchanges may finish after
// the user asks the server to stop.
const serveShutdownGrace = 5 * time.Second

// newServeCmd runs the in-memory Atlas for people: to try the create and
// delete commands, or any Atlas client, without a real organization.
func newServeCmd(e *env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an in-memory Atlas with the link-token operations, for trying clients",
		Long: `serve runs an in-memory stand-in for MongoDB Atlas's link-token operations on
both API versions (/api/atlas/v2 and /api/atlas/v1.0), with real digest
authentication, until interrupted (SIGINT or SIGTERM).

The API key comes from --public-key/--private-key or MONGODB_ATLAS_PUBLIC_API_KEY/
MONGODB_ATLAS_PRIVATE_API_KEY; without either, a key pair is generated and printed
once. The key is an Organization Owner unless --not-org-owner is given. Every
well-formed orgId is an existing organization unless --org restricts them.
One line per exchange is logged to standard error, with no secret in it.

With --allow-fault-injection, tests in any language queue faults over HTTP, from
this machine only: POST to /_linktoken/faults a JSON object, {"status": 429,
"retryAfter": 3}, {"status": 503}, {"status": 500}, or {"close": true} (the
connection closes before the answer), with "count" for how many of the next
authenticated requests to an operation meet it (default 1). GET says how many wait;
DELETE drops them.

The service-account token endpoint answers 429 with Retry-After after 10 wrong
secrets a minute for one client id, or 100 in all.`,
		Example: `  linktoken serve --addr 127.0.0.1:8080
  linktoken serve --allow-fault-injection &
  curl -sS -X POST -d '{"status":503,"retryAfter":2,"count":2}' http://127.0.0.1:8080/_linktoken/faults
  MONGODB_ATLAS_OPS_MANAGER_URL=http://127.0.0.1:8080/ linktoken create --orgId 4888442a3354817a7320eb61`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, generatedKey, err := o.validate(e)
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), e, key, generatedKey)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	f.StringVar(&o.publicKey, "public-key", "", "public API key to accept (default $MONGODB_ATLAS_PUBLIC_API_KEY, else generated)")
	f.StringVar(&o.privateKey, "private-key", "", "private API key to accept (default $MONGODB_ATLAS_PRIVATE_API_KEY, else generated)")
	f.StringSliceVar(&o.orgs, "org", nil, "the only organizations that exist (repeatable or comma-separated; default every well-formed orgId)")
	f.BoolVar(&o.notOwner, "not-org-owner", false, "the key lacks the Organization Owner role, so every operation is answered 403")
	f.StringVar(&o.algorithm, "digest-algorithm", "MD5", "algorithm named in digest challenges: MD5 or SHA-256; credentials computed with either are accepted whatever the challenge names")
	f.IntVar(&o.rateLimit, "rate-limit", 0, "requests a minute per organization, in bursts of up to that many (0: the default bucket of 500, refilled at 6,000 a minute)")
	f.StringVar(&o.clientID, "client-id", "", "service-account client id to accept on v2 (default $MONGODB_ATLAS_CLIENT_ID)")
	f.StringVar(&o.clientSecret, "client-secret", "", "service-account client secret (default $MONGODB_ATLAS_CLIENT_SECRET)")
	f.BoolVar(&o.allowFaults, "allow-fault-injection", false, "take faults to queue at "+faultsPath+" from this machine (POST {\"status\":503,\"retryAfter\":2,\"count\":1}, or {\"close\":true})")
	return cmd
}

// serveOptions are serve's flags.
type serveOptions struct {
	addr, publicKey, privateKey string
	orgs                        []string
	notOwner                    bool
	algorithm                   string
	rateLimit                   int
	clientID, clientSecret      string
	allowFaults                 bool
}

// validate settles the flags, the environment under them, and the key
// (generated when none is given); nothing listens yet.
func (o *serveOptions) validate(e *env) (key atlastest.APIKey, generatedKey bool, err error) {
	if o.publicKey == "" {
		o.publicKey = e.getenv("MONGODB_ATLAS_PUBLIC_API_KEY")
	}
	if o.privateKey == "" {
		o.privateKey = e.getenv("MONGODB_ATLAS_PRIVATE_API_KEY")
	}
	if (o.publicKey == "") != (o.privateKey == "") {
		return key, false, usageError("give both the public and the private key, or neither to have a key pair generated")
	}
	if o.rateLimit < 0 {
		return key, false, usageError("--rate-limit %d: want a number of requests a minute, or 0 for the default", o.rateLimit)
	}
	if o.clientID == "" {
		o.clientID = e.getenv("MONGODB_ATLAS_CLIENT_ID")
	}
	if o.clientSecret == "" {
		o.clientSecret = e.getenv("MONGODB_ATLAS_CLIENT_SECRET")
	}
	generatedKey = o.publicKey == ""
	key = atlastest.APIKey{Public: o.publicKey, Private: o.privateKey, OrgOwner: !o.notOwner}
	if generatedKey {
		key = atlastest.GenerateAPIKey()
		key.OrgOwner = !o.notOwner
	}
	return key, generatedKey, nil
}

// run builds the service, listens, and serves until interrupted.
func (o *serveOptions) run(ctx context.Context, e *env, key atlastest.APIKey, generatedKey bool) error {
	log := &serveLog{w: e.stderr}
	opts := []atlastest.Option{
		atlastest.WithAPIKey(key),
		atlastest.WithDigestAlgorithm(strings.ToUpper(o.algorithm)),
		atlastest.WithExchangeLog(log.exchange),
		// Under this module's secret scan (make secret-scan), every
		// secret serve meets is recorded, so the scan can prove that
		// none reaches the output; unset, it records nothing.
		atlastest.WithSecretLog(secretlog.FromEnv()),
	}
	if len(o.orgs) > 0 {
		opts = append(opts, atlastest.WithOrganizations(o.orgs...))
	}
	if o.rateLimit > 0 {
		opts = append(opts, atlastest.WithRateLimit(o.rateLimit, time.Minute/time.Duration(o.rateLimit)))
	}
	if o.clientID != "" || o.clientSecret != "" {
		opts = append(opts, atlastest.WithServiceAccount(o.clientID, o.clientSecret))
	}
	svc, err := atlastest.New(opts...)
	if err != nil {
		return usageError("%v", strings.TrimPrefix(err.Error(), "atlastest: "))
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageError("listen on %s: %v", o.addr, err)
	}
	var clientIDs []string
	if o.clientID != "" {
		clientIDs = []string{o.clientID}
	}
	return serve(ctx, e, ln, serveServer(svc, o.allowFaults, clientIDs, log.exchange), key, generatedKey, o.allowFaults)
}

// serveServer is the server serve starts for svc. Headers, the whole
// request, the answer (plus any latency the service injects) and idle
// keep-alives are all bounded, so a slow or stuck client cannot hold a
// connection forever; wrong secrets for the service accounts clientIDs
// (and unknown ones) are throttled, and logged with log (see guessLimit);
// with allowFaults, it takes faults at faultsPath.
func serveServer(svc *atlastest.Service, allowFaults bool, clientIDs []string, log func(atlastest.Exchange)) *http.Server {
	srv := serverlimits.NewServer(newGuessLimit(svc, clientIDs, log))
	if allowFaults {
		srv.Handler = faultAdmin{svc: svc, next: srv.Handler}
	}
	return srv
}

// serve answers on ln until the user interrupts, then drains in-flight
// exchanges for a moment and returns.
func serve(ctx context.Context, e *env, ln net.Listener, srv *http.Server, key atlastest.APIKey, generatedKey, allowFaults bool) error {
	ctx, stop := e.interruptContext(ctx)
	defer stop()

	root := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "Serving the in-memory Atlas on %s\n", root)
	fmt.Fprintf(e.stdout, "  v2:   %s%s\n  v1.0: %s%s\n", root, atlastest.BasePathV2, root, atlastest.BasePathV1)
	if generatedKey {
		// Printed once, because nobody could use the service otherwise; it
		// is a throwaway key that only this process accepts.
		fmt.Fprintf(e.stdout, "Generated API key (valid until this process stops):\n  public key:  %s\n  private key: %s\n", key.Public, key.Private)
		// Ready to paste into another shell, so linktoken create/delete (or
		// the Atlas CLI's variables anywhere) point at this service.
		fmt.Fprintf(e.stdout, "To use it from another shell:\n  export %s=%s %s=%s %s=%s/\n",
			atlas.EnvPublicAPIKey, key.Public, atlas.EnvPrivateAPIKey, key.Private, atlas.EnvBaseURL, root)
	} else {
		fmt.Fprintf(e.stdout, "Accepting API key %s\n", key.Public)
	}
	if allowFaults {
		fmt.Fprintf(e.stdout, "Queue faults (from this machine only): POST %s%s\n", root, faultsPath)
	}
	fmt.Fprintln(e.stdout, "Press Ctrl-C to stop.")

	ln = serverlimits.LimitListener(ln, serverlimits.Default().MaxConns)
	if err := serverlimits.ServeUntil(ctx, srv, ln, serveShutdownGrace); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Stopped.")
	return nil
}

// serveLog writes one line per exchange. atlastest.Exchange holds no secret
// (no private key, digest response, bearer token or link-token), so the line
// cannot leak one.
type serveLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *serveLog) exchange(x atlastest.Exchange) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %d %s", time.Now().UTC().Format(time.RFC3339), x.Method, x.Path, x.Status, x.Operation)
	if x.Principal != "" {
		fmt.Fprintf(&b, " key=%s", x.Principal)
	}
	if x.Enveloped {
		b.WriteString(" enveloped")
	}
	if x.Fault != "" {
		fmt.Fprintf(&b, " fault=%s", x.Fault)
	}
	fmt.Fprintf(&b, " took=%s\n", x.Duration.Round(time.Microsecond))
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, b.String())
}
