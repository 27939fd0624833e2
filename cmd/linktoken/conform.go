package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

func newConformCmd(e *env) *cobra.Command {
	var flags clientFlags
	var output string
	var seed uint64
	var maxRequests int
	var total time.Duration
	var force bool
	var pathParams, headers, allowUnremovable []string
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
honours Retry-After when rate-limited, gives up on a request after --timeout, stops
when 5 requests in a row get no answer, and stops after --total.

Output (-o): text prints one line per failed check, with the request (no secret) and a
"curl --digest" line that replays it, one line per observation, then a summary; json
prints the whole report; junit prints a JUnit XML report for CI systems.

Exit status (when several apply, the first listed of 5, 1, 4, 3):
  0  every check ran on an answer and passed, and what the run created is gone
  1  a check failed: the server broke the contract (or the run was interrupted)
  2  a usage error
  3  no check ran
  4  requests got no answer (refused, reset, timed out): the server was not judged
  5  what the run created, or may have, could not be removed: someone must look`,
		Example: `  export MONGODB_ATLAS_PUBLIC_API_KEY=… MONGODB_ATLAS_PRIVATE_API_KEY=…
  linktoken conform --base-url http://127.0.0.1:8080/ --orgId 4888442a3354817a7320eb61 --force
  linktoken conform --base-url https://cloud.mongodb.com/ --orgId "$THROWAWAY_ORG" -o junit > conform.xml
  linktoken conform --base-url https://gateway.example/ --orgId "$THROWAWAY_ORG" --header "X-Gateway-Key: $KEY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" && output != "junit" {
				return usageError("-o %q: want text, json or junit", output)
			}
			if flags.baseURL == "" {
				return usageError("--base-url is required: conform creates and removes links, so it runs only against a service root you name")
			}
			if maxRequests < 1 || total <= 0 {
				return usageError("--max-requests and --total must be positive")
			}
			org, err := flags.org(e)
			if err != nil {
				return err
			}
			params, err := parsePathParams(pathParams)
			if err != nil {
				return err
			}
			params["orgId"] = org
			header, err := parseHeaders(headers)
			if err != nil {
				return err
			}
			versions := []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1}
			if cmd.Flags().Changed("api-version") {
				v, err := atlas.ParseAPIVersion(flags.apiVersion)
				if err != nil {
					return usageError("--api-version: %w", err)
				}
				versions = []atlas.APIVersion{v}
			}
			clients := map[string]*http.Client{}
			for _, v := range versions {
				flags.apiVersion = string(v)
				c, err := flags.client(e)
				if err != nil {
					if len(versions) > 1 && v == atlas.APIVersionV1 && strings.Contains(err.Error(), "v2 only") {
						fmt.Fprintln(e.stderr, "conform: service accounts work with v2 only; v1.0 is not exercised")
						continue
					}
					return err
				}
				defer c.CloseIdleConnections()
				clients["/api/atlas/"+string(v)] = c.HTTPClient()
			}
			if !force {
				if !e.stdinIsTerminal() {
					return usageError("refusing to create and remove the link-token of organization %s at %s without --force: stdin is not a terminal", org, flags.baseURL)
				}
				fmt.Fprintf(e.stderr, "conform creates and removes the link-token of organization %s at %s. Continue? [y/N] ", org, flags.baseURL)
				answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					fmt.Fprintln(e.stderr, "Nothing sent.")
					return nil
				}
			}
			ctx, cancel := e.interruptContext(context.Background())
			defer cancel()
			ctx, cancelTotal := context.WithTimeout(ctx, total)
			defer cancelTotal()
			out := bufio.NewWriter(e.stdout)
			defer out.Flush()
			opts := conform.Options{
				Root: flags.baseURL, Clients: clients, Raw: &http.Client{Timeout: flags.timeout},
				Params: params, Header: header, AllowUnremovable: allowUnremovable, Seed: seed, MaxRequests: maxRequests,
			}
			if output == "text" {
				opts.Progress = func(o conform.Outcome) { writeOutcome(out, o) }
			}
			rep, runErr := conform.Run(ctx, opts)
			if rep == nil {
				return usageError("%w", runErr)
			}
			switch output {
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				_ = enc.Encode(rep)
			case "junit":
				writeConformJUnit(out, rep)
			default:
				writeConformSummary(out, rep)
			}
			return conformExit(rep, runErr)
		},
	}
	flags.register(cmd, "a request that takes longer counts as no answer")
	// The shared flags' help speaks of create and delete: conform has no
	// default service root, and runs both versions unless told.
	cmd.Flags().Lookup("base-url").Usage = "service root to check, such as http://127.0.0.1:8080/ (required: there is no default); /api/atlas/<version> is added"
	apiVersion := cmd.Flags().Lookup("api-version")
	apiVersion.Usage, apiVersion.DefValue = "exercise only this API version, v2 or v1.0 (default: both)", ""
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or junit")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "order of the requests; the same seed gives the same run")
	cmd.Flags().IntVar(&maxRequests, "max-requests", 400, "send at most this many requests")
	cmd.Flags().DurationVar(&total, "total", 10*time.Minute, "stop the run after this long (then remove what it created)")
	cmd.Flags().BoolVar(&force, "force", false, "create and remove links without asking for confirmation")
	cmd.Flags().StringArrayVar(&pathParams, "path-param", nil, "NAME=VALUE: the value of a path parameter other than orgId (repeatable; default the contract's example)")
	cmd.Flags().StringArrayVar(&headers, "header", nil, `"NAME: VALUE": a header sent on every request, such as a gateway's key (repeatable; the value is never printed)`)
	cmd.Flags().StringSliceVar(&allowUnremovable, "allow-unremovable", nil, "operation ids to exercise against a server not on loopback although the contract gives no way to remove what they create (repeatable)")
	return cmd
}

// conformExit maps a run to the exit code its verdict has.
func conformExit(rep *conform.Report, runErr error) error {
	var code int
	switch rep.Verdict {
	case conform.VerdictPass:
		code = exitOK
	case conform.VerdictFailed:
		code = exitAPI
	case conform.VerdictNoAnswer:
		code = exitNoAnswer
	case conform.VerdictNothingChecked:
		code = exitNothingChecked
	case conform.VerdictLeftBehind:
		code = exitLeftBehind
	default:
		code = exitAPI // a verdict this build does not know never passes
	}
	if runErr != nil && code != exitLeftBehind {
		return apiError(fmt.Errorf("the run stopped early: %v", runErr))
	}
	if code == exitOK {
		return nil
	}
	_, why, _ := strings.Cut(rep.Summary(), "\n")
	if why == "" {
		why = string(rep.Verdict)
	}
	return &exitError{code: code, err: errors.New(strings.ReplaceAll(why, "\n", "; "))}
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
		if !ok || name == "" || !validHeaderName(name) || strings.ContainsAny(value, "\r\n") {
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

// validHeaderName: a token (RFC 9110 §5.6.2).
func validHeaderName(s string) bool {
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// writeConformSummary is the text report's end: notes, removals that
// failed, the summary and the cleanup line.
func writeConformSummary(out *bufio.Writer, rep *conform.Report) {
	for _, n := range rep.Notes {
		fmt.Fprintf(out, "NOTE %s\n", oneLine(n))
	}
	for _, rm := range rep.Removals {
		if !rm.Removed && !rm.Allowed {
			fmt.Fprintf(out, "LEFT %s: %s\n", rm.Created, oneLine(rm.Detail))
		}
	}
	fmt.Fprintln(out, rep.Summary())
	if rep.Cleanup != "" {
		fmt.Fprintln(out, rep.Cleanup)
	}
}

// writeOutcome prints a failed check, an error, or an observation.
func writeOutcome(out *bufio.Writer, o conform.Outcome) {
	for _, f := range o.Failures {
		fmt.Fprintf(out, "FAIL %s: %s: %s\n  request: %s\n  replay:  %s\n", f.Check, o.Case, oneLine(f.Detail), o.Request, o.Replay)
	}
	if o.Err != "" {
		fmt.Fprintf(out, "ERROR %s: %s\n", o.Case, oneLine(o.Err))
	}
	if o.Observation != "" {
		fmt.Fprintf(out, "OBSERVED %s: %s\n", o.Case, oneLine(o.Observation))
	}
}

func oneLine(s string) string { return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s) }

// writeConformJUnit writes the report as one JUnit suite: a test case per
// request, a failure per failed check, observations in system-out.
func writeConformJUnit(out *bufio.Writer, rep *conform.Report) {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		ClassName string    `xml:"classname,attr"`
		Name      string    `xml:"name,attr"`
		Failures  []failure `xml:"failure"`
		Error     *failure  `xml:"error"`
		SystemOut string    `xml:"system-out,omitempty"`
	}
	type suite struct {
		XMLName   xml.Name   `xml:"testsuite"`
		Name      string     `xml:"name,attr"`
		Tests     int        `xml:"tests,attr"`
		Failures  int        `xml:"failures,attr"`
		Errors    int        `xml:"errors,attr"`
		Cases     []testcase `xml:"testcase"`
		SystemOut string     `xml:"system-out,omitempty"`
	}
	s := suite{Name: "linktoken conform"}
	for _, o := range rep.Outcomes {
		tc := testcase{ClassName: string(o.Kind), Name: o.Case}
		for _, f := range o.Failures {
			tc.Failures = append(tc.Failures, failure{Message: f.Check + ": " + oneLine(f.Detail), Type: f.Check,
				Text: f.Detail + "\nrequest: " + o.Request + "\nreplay: " + o.Replay})
		}
		if o.Err != "" {
			tc.Error = &failure{Message: oneLine(o.Err), Type: "error", Text: o.Err}
			s.Errors++
		}
		if o.Observation != "" {
			tc.SystemOut = "observed: " + o.Observation + "\nrequest: " + o.Request
		}
		if len(tc.Failures) > 0 {
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	// What the run itself could not do is an error CI shows: what it left
	// behind, a run that stopped early, a run with no check.
	runError := func(class, name, msg string) {
		s.Tests++
		s.Errors++
		s.Cases = append(s.Cases, testcase{ClassName: class, Name: name, Error: &failure{Message: oneLine(msg), Type: "error", Text: msg}})
	}
	for _, rm := range rep.Removals {
		if !rm.Removed && !rm.Allowed {
			runError("cleanup", rm.Created, rm.Detail)
		}
	}
	if rep.Stopped != "" {
		runError("run", "stopped early", rep.Stopped)
	}
	if rep.Verdict == conform.VerdictNothingChecked {
		runError("run", "no check ran", rep.Summary())
	}
	s.SystemOut = strings.Join(append(slices.Clone(rep.Notes), rep.Summary(), rep.Cleanup), "\n")
	out.WriteString(xml.Header)
	out.WriteString("<testsuites name=\"linktoken conform\">\n")
	enc := xml.NewEncoder(out)
	enc.Indent("  ", "  ")
	_ = enc.Encode(s)
	out.WriteString("\n</testsuites>\n")
}
