package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

func newCheckCmd(e *env) *cobra.Command {
	var output string
	var allowEmpty, strict bool
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check recorded traffic (HAR archives, raw HTTP exchange files) against the link-token contract",
		Long: `Check recorded traffic against the link-token contract (openapi/linktoken.yaml).

Undeclared statuses, content types, request properties and malformed bodies are
violations. A response property the contract does not declare, or an undeclared query
parameter, is a notice: MongoDB adds response properties within a resource version, so
live traffic may carry them; notices are printed but do not change the exit status,
unless --strict makes them violations.

Each FILE is a HAR 1.2 archive (ending in .har, or starting with '{'), read as a stream
in bounded memory, or a raw HTTP exchange file: a request followed by its response (as
many times as it likes), or a response alone, whose request is read from the file
X.request.http beside X.http when there is one (and which is otherwise checked against
every operation). Exchanges that are not operations of the contract are counted and skipped.

Output (-o): text prints one line per violation ("notice: …" for a notice), as it is
found, then a summary ("N exchanges, N conform, N violations, N notices"); json prints
one JSON document (violations, notices, counts); junit prints a JUnit XML report for CI
systems: one test suite per file, one test case per exchange, one failure per violation,
notices in the test case's system-out. No output carries a credential or a link-token.

Exit status (of the installed binary: go run turns every failure into 1):
  0  every exchange conforms
  1  an exchange breaks the contract
  2  a usage error, or a file that cannot be used (missing, empty, neither HAR nor
     raw HTTP, malformed)
  3  no exchange of the contract was found (a CI job pointed at the wrong archive
     would otherwise pass forever); --allow-empty makes this a success`,
		Example: `  linktoken check traffic.har
  linktoken check -o junit traffic.har > linktoken-report.xml
  linktoken check testdata/recorded/*.http -o json`,
		Args: func(cmd *cobra.Command, files []string) error {
			if len(files) == 0 {
				return usageError("no FILE to check\nUsage: %s", cmd.UseLine())
			}
			return nil
		},
		RunE: func(_ *cobra.Command, files []string) error {
			return runCheck(e, files, output, allowEmpty, strict)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or junit")
	cmd.Flags().BoolVar(&allowEmpty, "allow-empty", false, "succeed even when no exchange of the contract was found")
	cmd.Flags().BoolVar(&strict, "strict", false, "make notices (undeclared response properties and query parameters) violations")
	return cmd
}

// runCheck checks every file into one report, writing violations as they
// are found, so any amount of traffic is checked in bounded memory in
// every format.
func runCheck(e *env, files []string, output string, allowEmpty, strict bool) error {
	if output != "text" && output != "json" && output != "junit" {
		return usageError("-o %q: want text, json or junit", output)
	}
	var opts []contract.Option
	if strict {
		opts = append(opts, contract.Strict())
	}
	v, err := contract.New(opts...)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	var rep contract.Report
	var junit *junitReport
	var notices *noticeSpool
	first := true
	switch output {
	case "json":
		filesJSON, _ := json.Marshal(files)
		fmt.Fprintf(out, "{\n  \"files\": %s,\n  \"violations\": [", filesJSON)
		rep.Emit = func(x *contract.Violation) {
			b, _ := json.Marshal(x)
			if !first {
				out.WriteByte(',')
			}
			first = false
			out.WriteString("\n    ")
			out.Write(b)
		}
		// Notices follow the violations in the document; they are spooled
		// to a file meanwhile, so memory stays bounded.
		if notices, err = newNoticeSpool(); err != nil {
			return err
		}
		defer notices.close()
		rep.EmitNotice = notices.add
	case "junit":
		if junit, err = newJUnitReport(out); err != nil {
			return err
		}
		defer junit.close()
		rep.OnExchange = junit.exchange
	default:
		rep.Emit = func(x *contract.Violation) {
			out.WriteString(x.Error())
			out.WriteByte('\n')
		}
		rep.EmitNotice = func(x *contract.Violation) {
			out.WriteString("notice: ")
			out.WriteString(x.Error())
			out.WriteByte('\n')
		}
	}

	var inputErr error
	for _, f := range files {
		err := sniffInput(f)
		if err == nil {
			err = v.CheckFile(&rep, f)
			var ie *contract.InputError
			if err != nil && !errors.As(err, &ie) {
				err = fmt.Errorf("%s: %w", f, err)
			}
		}
		if junit != nil {
			if err != nil {
				junit.inputError(f, err)
			}
			if jerr := junit.endFile(f, err); jerr != nil && err == nil {
				err = jerr
			}
		}
		if err != nil {
			inputErr = err
			break
		}
	}

	var nothingErr error
	if inputErr == nil && rep.Exchanges == 0 && !allowEmpty {
		where := files[0]
		if len(files) > 1 {
			where = fmt.Sprintf("the %d files", len(files))
		}
		nothingErr = fmt.Errorf("no exchange of the link-token contract in %s (%d other exchanges skipped): "+
			"nothing was checked; is it the right file? --allow-empty accepts this", where, rep.Skipped)
	}

	switch output {
	case "json":
		if rep.Count > 0 {
			out.WriteString("\n  ")
		}
		out.WriteString("],\n  \"notices\": [")
		if err := notices.copyTo(out); err != nil && inputErr == nil {
			inputErr = err
		}
		if rep.NoticeCount > 0 {
			out.WriteString("\n  ")
		}
		errText := ""
		if inputErr != nil {
			errText = inputErr.Error()
		} else if nothingErr != nil {
			errText = nothingErr.Error()
		}
		tail, _ := json.Marshal(struct {
			Exchanges int    `json:"exchanges"`
			Conform   int    `json:"conform"`
			Count     int    `json:"violationCount"`
			Notices   int    `json:"noticeCount"`
			Skipped   int    `json:"skipped"`
			Error     string `json:"error,omitempty"`
		}{rep.Exchanges, rep.Conform, rep.Count, rep.NoticeCount, rep.Skipped, errText})
		// Splice the counts in after the violations: {"files", "violations", counts…}.
		fmt.Fprintf(out, "],\n  %s\n}\n", tail[1:len(tail)-1])
	case "text":
		if inputErr == nil {
			fmt.Fprintln(out, rep.Summary())
		}
	}
	switch {
	case inputErr != nil:
		// The message names the file and may quote what it holds: escaped,
		// so that it cannot drive the terminal it is printed on.
		return usageError("%s", safetext.Line(inputErr.Error()))
	case !rep.OK():
		return apiError(fmt.Errorf("%d of %d exchanges break the contract (%d violations)", rep.Exchanges-rep.Conform, rep.Exchanges, rep.Count))
	case nothingErr != nil:
		return &exitError{code: exitNothingChecked, err: errors.New(safetext.Line(nothingErr.Error()))}
	}
	return nil
}
