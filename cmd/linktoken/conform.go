package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
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
	cmd := &cobra.Command{
		Use:   "conform --base-url URL --orgId ID",
		Short: "Check a running server (Atlas, a gateway, a stand-in) against the link-token contract",
		Long: `Send a server requests derived from the link-token contract and check every answer:
positive requests (each operation and API version, bodies built from the contract's
schemas, envelope and pretty on and off, each accepted media type) must be accepted;
negative ones, each breaking one rule (path parameter length, case and alphabet; a
body missing, not JSON, of the wrong types, with unknown properties or a member name
twice; wrong media types; a wrong method) must be refused with a 4xx; requests without
credentials, with wrong ones or a malformed Authorization must meet the 401 challenge.
Every answer must keep to the contract: no 5xx, a declared status, content type,
headers and body, a well-formed digest challenge. Then each rule the contract only
assumes is probed, and what the server did is reported as an observation, not a
failure: run against the live service, this gathers the evidence the contract lacks.

This CREATES AND REMOVES LINKS: every create replaces the organization's link-token,
and the run removes the link when it ends, even when interrupted. Use a throw-away
organization. It runs only against the service root you name with --base-url (there is
no default), and asks for confirmation unless --force.

Credentials as for create (flags, then the Atlas CLI's environment, then its profile).
Both API versions are exercised unless --api-version names one (service accounts: v2).
The run is the same for the same --seed, sends at most --max-requests requests, honours
Retry-After when rate-limited, and stops after --total.

Output (-o): text prints one line per failed check, with the request (no secret) and a
"curl --digest" line that replays it, one line per observation, then a summary; json
prints the whole report; junit prints a JUnit XML report for CI systems.

Exit status: 0 every check passed; 1 a check failed (or the run was interrupted);
2 a usage error.`,
		Example: `  export MONGODB_ATLAS_PUBLIC_API_KEY=… MONGODB_ATLAS_PRIVATE_API_KEY=…
  linktoken conform --base-url http://127.0.0.1:8080/ --orgId 4888442a3354817a7320eb61 --force
  linktoken conform --base-url https://cloud.mongodb.com/ --orgId "$THROWAWAY_ORG" -o junit > conform.xml`,
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
			versions := []atlas.APIVersion{atlas.APIVersionV2, atlas.APIVersionV1}
			if cmd.Flags().Changed("api-version") {
				v, err := atlas.ParseAPIVersion(flags.apiVersion)
				if err != nil {
					return usageError("--api-version: %w", err)
				}
				versions = []atlas.APIVersion{v}
			}
			clients := map[string]*http.Client{}
			var cleanup *atlas.Client
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
				if cleanup == nil {
					cleanup = c
				}
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
				Params: map[string]string{"orgId": org}, Seed: seed, MaxRequests: maxRequests,
				Cleanup: func(ctx context.Context) error {
					err := cleanup.DeleteLinkToken(ctx, org)
					if errors.Is(err, atlas.ErrNotFound) {
						return nil
					}
					return err
				},
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
				fmt.Fprintln(out, rep.Summary())
				if rep.Cleanup != "" {
					fmt.Fprintln(out, rep.Cleanup)
				}
			}
			switch {
			case runErr != nil:
				return apiError(fmt.Errorf("the run stopped early: %v", runErr))
			case !rep.OK():
				return apiError(fmt.Errorf("%d of %d checks failed", rep.Failed, rep.Checks))
			}
			return nil
		},
	}
	flags.register(cmd, "an answer that takes longer counts as no answer")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or junit")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "order of the requests; the same seed gives the same run")
	cmd.Flags().IntVar(&maxRequests, "max-requests", 400, "send at most this many requests")
	cmd.Flags().DurationVar(&total, "total", 10*time.Minute, "stop the run after this long (then remove what it created)")
	cmd.Flags().BoolVar(&force, "force", false, "create and remove links without asking for confirmation")
	return cmd
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
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Cases    []testcase `xml:"testcase"`
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
	out.WriteString(xml.Header)
	out.WriteString("<testsuites name=\"linktoken conform\">\n")
	enc := xml.NewEncoder(out)
	enc.Indent("  ", "  ")
	_ = enc.Encode(s)
	out.WriteString("\n</testsuites>\n")
}
