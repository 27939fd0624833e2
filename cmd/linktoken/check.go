package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// checkReport is the -o json output.
type checkReport struct {
	Files      []string              `json:"files"`
	Exchanges  int                   `json:"exchanges"`
	Conform    int                   `json:"conform"`
	Skipped    int                   `json:"skipped"`
	Violations []*contract.Violation `json:"violations"`
}

func newCheckCmd(e *env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check recorded traffic (HAR archives, raw HTTP exchange files) against the link-token contract",
		Long: `Check recorded traffic against the link-token contract (openapi/linktoken.yaml), strictly:
undeclared statuses, content types, properties and query parameters are violations.

Each FILE is a HAR 1.2 archive (ending in .har, or starting with '{'), read as a stream
in bounded memory, or a raw HTTP exchange file: a request followed by its response (as
many times as it likes), or a response alone, whose request is read from the file
X.request.http beside X.http when there is one. Exchanges that are not link-token
operations are counted and skipped.

One line is printed per violation, then a summary: N exchanges, N conform, N violations.
Exit status: 0 when everything conforms, 1 when something does not, 2 when a file cannot
be used (unreadable, malformed HAR, unparseable HTTP).`,
		Example: `  linktoken check traffic.har
  linktoken check testdata/recorded/*.http -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if output != "text" && output != "json" {
				return usageError("-o %q: want text or json", output)
			}
			v, err := contract.New(contract.Strict())
			if err != nil {
				return err
			}
			var rep contract.Report
			for _, f := range files {
				if err := v.CheckFile(&rep, f); err != nil {
					var ie *contract.InputError
					if errors.As(err, &ie) {
						return usageError("%w", err)
					}
					return usageError("%s: %w", f, err)
				}
			}
			if output == "json" {
				out := checkReport{Files: files, Exchanges: rep.Exchanges, Conform: rep.Conform, Skipped: rep.Skipped, Violations: rep.Violations}
				if out.Violations == nil {
					out.Violations = []*contract.Violation{}
				}
				b, _ := json.MarshalIndent(out, "", "  ")
				fmt.Fprintln(e.stdout, string(b))
			} else {
				for _, x := range rep.Violations {
					fmt.Fprintln(e.stdout, x.Error())
				}
				fmt.Fprintln(e.stdout, rep.Summary())
			}
			if !rep.OK() {
				return apiError(fmt.Errorf("%d of %d exchanges break the contract (%d violations)", rep.Exchanges-rep.Conform, rep.Exchanges, len(rep.Violations)))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
