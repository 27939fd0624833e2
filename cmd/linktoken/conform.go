package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

// conformOptions are conform's flags; validate turns them into a run's
// options, run carries the run out and reports it.
type conformOptions struct {
	flags                                 clientFlags
	output                                *outputFlag
	seed                                  uint64
	maxRequests                           int
	total                                 time.Duration
	force                                 bool
	pathParams, headers, allowUnremovable []string
}

func newConformCmd(e *env) *cobra.Command {
	o := &conformOptions{}
	cmd := &cobra.Command{
		Use:   "conform --base-url URL --orgId ID",
		Short: "Check a running server (Atlas, a gateway, a stand-in) against the link-token contract",
		Long: `Send a server requests derived from the link-token contract and check every answer:
positive requests (each operation and API version, bodies built from the contract's
schemas, envelope and pretty on and off, each accepted media type) must be accepted,
and a GET of what the run created must find it (200); negative ones, each breaking
one rule (path parameter length, case and alphabet; a body missing, not JSON, of the
wrong types, with unknown properties or a member name twice; wrong media types; a
wrong method) must be refused with a 4xx; requests without credentials, with wrong
ones or a malformed Authorization must meet the 401 challenge. Every answer must keep
to the contract: no 5xx, a declared status, content type, headers and body, a
well-formed digest challenge. Then each rule the contract only assumes is probed, and
what the server did is reported as an observation, not a failure: run against the
live service, this gathers the evidence the contract lacks. When the server accepts
none of the run's credentials, nothing is probed.

This CREATES AND REMOVES what the contract's operations create (every create of a
link-token replaces the organization's link), and removes all of it when the run
ends, even when interrupted: what removes what comes from the contract (a link from
a create's answer to a DELETE, or the DELETE on the create's path). Use a throw-away
organization. An operation whose creations the contract gives no way to remove runs
only against a server on loopback, or when --allow-unremovable names it. It runs only
against the service root you name with --base-url (there is no default), and asks for
confirmation unless --force.

Credentials as for create (flags, then the Atlas CLI's environment, then its profile).
Both API versions are exercised unless --api-version names one (service accounts: v2).
Path parameters other than orgId take the contract's examples unless --path-param
sets them; --header adds a header to every request (its value is never printed).
The run is the same for the same --seed, sends at most --max-requests requests,
honours Retry-After when rate-limited (a request still answered 429 after 3 tries, or
told to wait more than 30s, is not judged), gives up on a request after --timeout, stops
when 5 requests in a row get no answer to judge, and stops after --total.

Output (-o): text prints one line per failed check, with the request (no secret) and a
"curl --digest" line that replays it, one line per observation, then a summary; json
prints the whole report; junit prints a JUnit XML report for CI systems.

Exit status (when several apply, the first listed of 5, 1, 4, 3):
  0  every check ran on an answer and passed, and what the run created is gone
  1  a check failed: the server broke the contract (or the run was interrupted)
  2  a usage error
  3  no check ran
  4  requests got no answer (refused, reset, timed out), or only 429, or an answer larger than
     the check reads (16 MiB): the server, or that answer's body, was not judged
  5  what the run created, or may have, could not be removed: someone must look`,
		Example: `  export MONGODB_ATLAS_PUBLIC_API_KEY=… MONGODB_ATLAS_PRIVATE_API_KEY=…
  linktoken conform --base-url http://127.0.0.1:8080/ --orgId 4888442a3354817a7320eb61 --force
  linktoken conform --base-url https://cloud.mongodb.com/ --orgId "$THROWAWAY_ORG" -o junit > conform.xml
  linktoken conform --base-url https://gateway.example/ --orgId "$THROWAWAY_ORG" --header "X-Gateway-Key: $KEY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, org, closeClients, err := o.validate(e, cmd.Flags().Changed("api-version"))
			if err != nil {
				return err
			}
			defer closeClients()
			what := fmt.Sprintf("the link-token of organization %s at %s", org, o.flags.baseURL)
			if proceed, err := confirmed(e, o.force, "create and remove "+what, "conform creates and removes "+what+". Continue?", "Nothing sent."); !proceed {
				return err
			}
			return o.run(e, opts)
		},
	}
	o.flags.register(cmd, "a request that takes longer counts as no answer")
	// The shared flags' help speaks of create and delete: conform has no
	// default service root, and runs both versions unless told.
	cmd.Flags().Lookup("base-url").Usage = "service root to check, such as http://127.0.0.1:8080/ (required: there is no default); /api/atlas/<version> is added"
	apiVersion := cmd.Flags().Lookup("api-version")
	apiVersion.Usage, apiVersion.DefValue = "exercise only this API version, v2 or v1.0 (default: both)", ""
	o.output = addOutputFlag(cmd, "text", "json", "junit")
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "order of the requests; the same seed gives the same run")
	cmd.Flags().IntVar(&o.maxRequests, "max-requests", 400, "send at most this many requests")
	cmd.Flags().DurationVar(&o.total, "total", 10*time.Minute, "stop the run after this long (then remove what it created)")
	cmd.Flags().BoolVar(&o.force, "force", false, "create and remove links without asking for confirmation")
	cmd.Flags().StringArrayVar(&o.pathParams, "path-param", nil, "NAME=VALUE: the value of a path parameter other than orgId (repeatable; default the contract's example)")
	cmd.Flags().StringArrayVar(&o.headers, "header", nil, `"NAME: VALUE": a header sent on every request, such as a gateway's key (repeatable; the value is never printed)`)
	cmd.Flags().StringSliceVar(&o.allowUnremovable, "allow-unremovable", nil, "operation ids to exercise against a server not on loopback although the contract gives no way to remove what they create (repeatable)")
	return cmd
}

// validate checks the flags and builds the run's options, with a client per
// API version the run exercises (versionChosen: --api-version was given);
// closeClients releases them. Nothing is sent.
func (o *conformOptions) validate(e *env, versionChosen bool) (opts conform.Options, org string, closeClients func(), err error) {
	closeClients = func() {}
	switch {
	case o.flags.baseURL == "":
		return opts, "", closeClients, usageError("--base-url is required: conform creates and removes links, so it runs only against a service root you name")
	case o.maxRequests < 1 || o.total <= 0:
		return opts, "", closeClients, usageError("--max-requests and --total must be positive")
	}
	if org, err = o.flags.org(e); err != nil {
		return opts, "", closeClients, err
	}
	params, err := parsePathParams(o.pathParams)
	if err != nil {
		return opts, "", closeClients, err
	}
	params["orgId"] = org
	header, err := parseHeaders(o.headers)
	if err != nil {
		return opts, "", closeClients, err
	}
	versions := []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1}
	if versionChosen {
		v, err := atlas.ParseAPIVersion(o.flags.apiVersion)
		if err != nil {
			return opts, "", closeClients, usageError("--api-version: %w", err)
		}
		versions = []atlas.APIVersion{v}
	}
	clients := map[string]*http.Client{}
	var made []*atlas.Client
	closeClients = func() {
		for _, c := range made {
			c.CloseIdleConnections()
		}
	}
	for _, v := range versions {
		o.flags.apiVersion = string(v)
		c, err := o.flags.client(e)
		if err != nil {
			if len(versions) > 1 && v == atlas.APIVersionV1 && errors.Is(err, errServiceAccountV1) {
				fmt.Fprintln(e.stderr, "conform: service accounts work with v2 only; v1.0 is not exercised")
				continue
			}
			closeClients()
			return opts, "", func() {}, err
		}
		made = append(made, c)
		clients["/api/atlas/"+string(v)] = c.HTTPClient()
	}
	return conform.Options{
		Root: o.flags.baseURL, Clients: clients, Raw: &http.Client{Timeout: o.flags.timeout},
		Params: params, Header: header, AllowUnremovable: o.allowUnremovable, Seed: o.seed, MaxRequests: o.maxRequests,
	}, org, closeClients, nil
}

// run carries the run out until it ends, is interrupted or meets --total,
// writes the report in the chosen form and returns its exit code.
func (o *conformOptions) run(e *env, opts conform.Options) error {
	ctx, cancel := e.interruptContext(context.Background())
	defer cancel()
	ctx, cancelTotal := context.WithTimeout(ctx, o.total)
	defer cancelTotal()
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	if o.output.format == "text" {
		opts.Progress = func(oc conform.Outcome) { writeOutcome(out, oc) }
	}
	started := time.Now()
	rep, runErr := conform.Run(ctx, opts)
	if rep == nil {
		return usageError("%w", runErr)
	}
	switch o.output.format {
	case "json":
		_ = writeJSON(out, rep)
	case "junit":
		_ = writeJUnit(out, conformJUnit(rep, time.Since(started)))
	default:
		writeConformSummary(out, rep)
	}
	return conformExit(rep, runErr)
}

// parsePathParams reads --path-param NAME=VALUE values.
func parsePathParams(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list {
		name, value, ok := strings.Cut(kv, "=")
		switch {
		case !ok || name == "" || value == "":
			return nil, usageError("--path-param %q: want NAME=VALUE", kv)
		case name == "orgId":
			return nil, usageError("--path-param orgId: give the organization with --orgId")
		}
		if _, dup := out[name]; dup {
			return nil, usageError("--path-param %s given twice", name)
		}
		out[name] = value
	}
	return out, nil
}

// conformSetsHeaders are the headers each request of a run sets itself:
// a --header cannot replace them without changing what is tested.
var conformSetsHeaders = []string{"Authorization", "Content-Type", "Accept", "Content-Length", "Host", "Transfer-Encoding", "Content-Encoding"}

// parseHeaders reads --header "NAME: VALUE" values; an error never
// quotes a value, which may be a secret.
func parseHeaders(list []string) (http.Header, error) {
	h := http.Header{}
	for i, line := range list {
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		// A header's name is a token (RFC 9110 §5.6.2).
		if !ok || !rfc9110.IsToken(name) || strings.ContainsAny(value, "\r\n") {
			return nil, usageError(`--header number %d: want "NAME: VALUE" (a token, a colon, a value on one line)`, i+1)
		}
		for _, own := range conformSetsHeaders {
			if strings.EqualFold(name, own) {
				return nil, usageError("--header %s: conform sets it on each request itself", own)
			}
		}
		h.Add(name, value)
	}
	return h, nil
}
