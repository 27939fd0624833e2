package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

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
X.request.http beside X.http when there is one (and which is otherwise checked against
every operation). Exchanges that are not operations of the contract are counted and skipped.

One line is printed per violation, as it is found, then a summary:
N exchanges, N conform, N violations. With -o json, one JSON document.
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
			out := bufio.NewWriter(e.stdout)
			defer out.Flush()
			var rep contract.Report
			// Violations are written as they are found, so any amount of
			// traffic is checked in bounded memory, in both formats.
			if output == "json" {
				filesJSON, _ := json.Marshal(files)
				fmt.Fprintf(out, "{\n  \"files\": %s,\n  \"violations\": [", filesJSON)
				first := true
				rep.Emit = func(x *contract.Violation) {
					b, _ := json.Marshal(x)
					if !first {
						out.WriteByte(',')
					}
					first = false
					out.WriteString("\n    ")
					out.Write(b)
				}
			} else {
				rep.Emit = func(x *contract.Violation) {
					out.WriteString(x.Error())
					out.WriteByte('\n')
				}
			}
			var inputErr error
			for _, f := range files {
				if err := v.CheckFile(&rep, f); err != nil {
					var ie *contract.InputError
					if !errors.As(err, &ie) {
						err = fmt.Errorf("%s: %w", f, err)
					}
					inputErr = err
					break
				}
			}
			if output == "json" {
				if rep.Count > 0 {
					out.WriteString("\n  ")
				}
				errText := ""
				if inputErr != nil {
					errText = inputErr.Error()
				}
				tail, _ := json.Marshal(struct {
					Exchanges int    `json:"exchanges"`
					Conform   int    `json:"conform"`
					Count     int    `json:"violationCount"`
					Skipped   int    `json:"skipped"`
					Error     string `json:"error,omitempty"`
				}{rep.Exchanges, rep.Conform, rep.Count, rep.Skipped, errText})
				// Splice the counts in after the violations: {"files", "violations", counts…}.
				fmt.Fprintf(out, "],\n  %s\n}\n", tail[1:len(tail)-1])
			} else if inputErr == nil {
				fmt.Fprintln(out, rep.Summary())
			}
			if inputErr != nil {
				return usageError("%w", inputErr)
			}
			if !rep.OK() {
				return apiError(fmt.Errorf("%d of %d exchanges break the contract (%d violations)", rep.Exchanges-rep.Conform, rep.Exchanges, rep.Count))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
