package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/internal/buildinfo"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/proxy"
)

// proxyShutdownGrace bounds how long in-flight exchanges may finish (and
// be recorded) after the user asks the proxy to stop.
// A variable for the tests.
var proxyShutdownGrace = 5 * time.Second

// proxyOptions are the proxy command's flags.
type proxyOptions struct {
	upstream, listen, record string
	enforce, strict          bool
	passUnknown, allowEmpty  bool
	maxBody                  int64
	limits                   proxy.Limits
}

// newProxyCmd checks a running server, or a client, against the contract
// by standing between them.
func newProxyCmd(e *env) *cobra.Command {
	var o proxyOptions
	cmd := &cobra.Command{
		Use:   "proxy --upstream URL",
		Short: "Stand between a client and a server and check every exchange against the link-token contract",
		Long: `proxy is a reverse proxy that checks every exchange of the link-token contract passing
through it, both ways, until interrupted (SIGINT or SIGTERM). Point a client (curl, the
Atlas CLI, a Terraform provider, a script, this command's create and delete) at it instead
of the server; the server is --upstream (the live service, linktoken serve, or your own).

Digest and bearer authentication pass through untouched: each request goes upstream with
its method, path, query and Authorization exactly as the client sent them (a digest
credential covers the method and the URI), only the Host becoming the upstream's and a Via
entry of the proxy's own added. So the 401 challenge, the retried request and the answer
all pass, and all are checked. A request that comes back to the proxy that sent it (an
upstream that leads, however, back here) is refused with 508 Loop Detected, and an
--upstream that is the proxy's own address is refused at start.

Each exchange is logged to standard error, then each violation and notice on a line of
its own; no secret is ever written (keys, digest responses, bearer tokens, link-tokens).
Each response to an operation of the contract carries the verdict for the client:
X-Linktoken-Violations (the count, 0 when it conforms), an X-Linktoken-Violation line
per violation (place and rule), the same for programs as one JSON array in
X-Linktoken-Violations-Json ([{"side","part","pointer","rule"}], as Prism's sl-violations),
and X-Linktoken-Notices. Requests that are not operations of the contract pass untouched,
bodies streamed.

--enforce refuses a request that breaks the contract before it reaches the upstream, with
the Atlas-style error the contract's middleware sends (400, 405, 413 or 415), malformed
credentials included (another scheme, Bearer on v1.0, a digest response of the wrong length,
an unknown algorithm, two Authorization headers); only a request without any credentials
goes upstream whatever it breaks, to be answered with the challenge. A path that is not the
contract's but normalises to it (case, percent-encoded letters, empty or dot segments,
;parameters, a trailing slash) is judged as that path and is a violation in itself, so it is
refused too; a request the contract does not have at all is refused with 404 unless
--pass-unknown (the token endpoint of the contract's OAuth scheme always passes).

--record writes the traffic to a HAR 1.2 archive that "linktoken check" reads, with every
secret redacted in a way that keeps conforming traffic conforming; the file is a complete
archive after every exchange, so it stays valid however the proxy stops. It refuses a
symbolic link, and replaces a file atomically.

Everything a client controls is bounded (--max-conns, --max-buffered-bytes, --read-timeout,
--upstream-timeout; headers in 10 s, idle connections 60 s): past the buffer limit a
request of the contract is answered 503 with Retry-After rather than held.

Exit status once stopped: 0 every exchange of the contract conformed (notices aside);
1 one broke it; 4 none broke it but one could not be judged (no answer from the upstream,
an answer whose body broke off, a response past the buffer limit, a body over
--max-body-bytes and nothing else found, a request still in flight
5 s after the signal, cut); 3 no exchange of the contract was checked at all (the client
was not pointed at the proxy, or every request was shed), unless --allow-empty; 2 a usage
error, or the recording failed.`,
		Example: `  linktoken proxy --upstream https://cloud.mongodb.com/ --record traffic.har
  curl --digest -u "$PUBLIC:$PRIVATE" -H 'Accept: application/vnd.atlas.2023-01-01+json' \
    -X DELETE http://127.0.0.1:8081/api/atlas/v2/orgs/$ORG/liveMigrations/linkTokens
  linktoken check traffic.har`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			up, err := o.validate()
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), e, up)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.upstream, "upstream", "", "the server's root URL, as http(s)://host[:port]/ (required)")
	f.StringVar(&o.listen, "listen", "127.0.0.1:8081", "address to listen on (port 0 picks a free one)")
	f.StringVar(&o.record, "record", "", "write the traffic, secrets redacted, to this HAR file (replaced atomically if it exists; not a symbolic link)")
	f.BoolVar(&o.enforce, "enforce", false, "refuse a request that breaks the contract, or is not in it, before it reaches the upstream")
	f.BoolVar(&o.passUnknown, "pass-unknown", false, "with --enforce, let requests that are not operations of the contract through (404 otherwise)")
	f.BoolVar(&o.strict, "strict", false, "make notices (undeclared response properties and query parameters) violations")
	f.BoolVar(&o.allowEmpty, "allow-empty", false, "succeed even when no exchange of the contract was checked")
	f.Int64Var(&o.maxBody, "max-body-bytes", proxy.DefaultMaxBody, "the largest body checked and recorded; a larger one is a violation, streamed on unchecked")
	def := proxy.DefaultLimits()
	o.limits = def
	f.IntVar(&o.limits.MaxConns, "max-conns", def.MaxConns, "the most client connections served at once; more wait to be accepted")
	f.Int64Var(&o.limits.MaxBuffered, "max-buffered-bytes", def.MaxBuffered,
		"the most body bytes held at once across all exchanges; past it a request is answered 503 with Retry-After")
	f.DurationVar(&o.limits.Read, "read-timeout", def.Read, "the longest a client may take to send a whole request")
	f.DurationVar(&o.limits.UpstreamTimeout, "upstream-timeout", def.UpstreamTimeout, "the longest the upstream may take to answer (then 504)")
	return cmd
}

// validate checks the flags before anything is opened.
func (o *proxyOptions) validate() (*url.URL, error) {
	up, err := proxy.ParseUpstream(o.upstream)
	if err != nil {
		return nil, usageError("%v", err)
	}
	if o.maxBody <= 0 {
		return nil, usageError("--max-body-bytes %d: want a positive number of bytes", o.maxBody)
	}
	switch l := o.limits; {
	case l.MaxConns <= 0:
		return nil, usageError("--max-conns %d: want a positive number of connections", l.MaxConns)
	case l.MaxBuffered < o.maxBody:
		return nil, usageError("--max-buffered-bytes %d: want at least --max-body-bytes (%d)", l.MaxBuffered, o.maxBody)
	case l.UpstreamTimeout <= 0 || l.Read <= 0:
		return nil, usageError("--upstream-timeout and --read-timeout: want a positive duration")
	}
	return up, nil
}

// run listens, opens the recording, and proxies until interrupted.
func (o *proxyOptions) run(ctx context.Context, e *env, up *url.URL) error {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageError("listen on %s: %v", o.listen, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		lookup, cancel := context.WithTimeout(ctx, 5*time.Second)
		loops, err := proxy.Loops(lookup, tcp, up)
		cancel()
		if err != nil || loops {
			_ = ln.Close()
			if err != nil {
				return usageError("%v", err)
			}
			return usageError("--upstream %s is the proxy's own address (%s): every request would come back to it", up, tcp)
		}
	}
	cfg := proxy.Config{Upstream: up, Enforce: o.enforce, PassUnknown: o.passUnknown, Strict: o.strict, MaxBody: o.maxBody, Log: e.stderr, Limits: o.limits}
	if o.record != "" {
		// The archive's creator is this build, as the version command names it.
		build, _ := buildinfo.Running()
		if cfg.HAR, err = proxy.CreateHAR(o.record, cmp.Or(build.Version, "(devel)")); err != nil {
			_ = ln.Close()
			return usageError("--record: %v", err)
		}
	}
	p, err := proxy.New(cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	return runProxy(ctx, e, ln, p, cfg.HAR, o)
}

// runProxy serves on ln until the user interrupts, then lets in-flight
// exchanges finish for a moment, closes the archive, and says what it saw.
func runProxy(ctx context.Context, e *env, ln net.Listener, p *proxy.Proxy, har *proxy.HARWriter, o *proxyOptions) error {
	ctx, stop := e.interruptContext(ctx)
	defer stop()

	fmt.Fprintf(e.stdout, "Proxying http://%s to %s, checking against the link-token contract\n", ln.Addr(), p.Upstream())
	if o.enforce {
		fmt.Fprintln(e.stdout, "Enforcing: requests that break the contract are refused before they reach the upstream.")
	}
	if har != nil {
		fmt.Fprintf(e.stdout, "Recording to %s (secrets redacted)\n", o.record)
	}
	fmt.Fprintln(e.stdout, "Press Ctrl-C to stop.")

	err := p.Serve(ctx, ln, proxyShutdownGrace)
	var unfinished *proxy.UnfinishedError
	if errors.As(err, &unfinished) {
		err = nil
	}
	if har != nil {
		err = errors.Join(err, har.Close())
	}
	st := p.Stats()
	fmt.Fprintf(e.stdout, "Stopped: %s.\n", st)
	if har != nil {
		fmt.Fprintf(e.stdout, "Recorded %s to %s.\n", plural.Count(har.Count(), "exchange"), o.record)
	}
	if err != nil {
		return usageError("%v", err)
	}
	var failed []string
	if st.Broke > 0 {
		failed = append(failed, fmt.Sprintf("%d of %s broke the contract", st.Broke, plural.Count(st.Checked, "exchange")))
	}
	if n := st.Unjudged(); n > 0 {
		failed = append(failed, fmt.Sprintf("%d of the contract's exchanges could not be checked", n))
	}
	if unfinished != nil {
		failed = append(failed, unfinished.Error())
	}
	// A broken contract is the verdict that matters most; short of it, an
	// exchange that could not be judged fails as conform's unanswered
	// requests do.
	code := exitNoAnswer
	if st.Broke > 0 {
		code = exitAPI
	}
	if len(failed) > 0 {
		return &exitError{code: code, err: errors.New(strings.Join(failed, "; "))}
	}
	if st.Checked == 0 && !o.allowEmpty {
		// Nothing judged is no verdict: a CI job whose client went around
		// the proxy must not pass, as check fails on an archive without
		// an exchange of the contract.
		return &exitError{code: exitNothingChecked, err: fmt.Errorf("no exchange of the contract was checked (%s passed through, %s shed): "+
			"is the client pointed at the proxy? --allow-empty accepts this", plural.Count(st.Passed, "other request"), plural.Count(st.Shed, "request"))}
	}
	return nil
}
