package main

import (
	"bufio"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// checkOptions are check's flags and files.
type checkOptions struct {
	output                              *outputFlag
	allowEmpty, allowUnanswered, strict bool
	files                               []string
}

func newCheckCmd(e *env) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check recorded traffic (HAR archives, raw HTTP exchange files) against the link-token contract",
		Long: `Check recorded traffic against the link-token contract (openapi/linktoken.yaml).

Undeclared statuses, content types, request properties and malformed bodies are
violations. A response property the contract does not declare, or an undeclared query
parameter, is a notice: MongoDB adds response properties within a resource version, so
live traffic may carry them; notices are printed but do not change the exit status,
unless --strict makes them violations.

Each FILE is a HAR 1.2 archive (ending in .har, or starting with '{'; ending in .zhar,
zlib-compressed as mitmproxy's save.har writes it; ending in .zip, Playwright's recordHar
zip; bodies Playwright stores in a file of their own, _file, are read from beside the
archive), read as a stream,
entry by entry, in memory bounded by its largest entry (an entry of more than 64 MiB of
JSON is refused), or a raw HTTP exchange file (curl -i output included): a request followed
by its response (as many times as it likes), or a response alone, whose request is read from
the file X.request.http beside X.http when there is one (and which is otherwise checked
against every operation). Exchanges are judged on every core and reported in file order.
Exchanges that are not operations of the contract (a browser's CORS preflight among them)
are counted and skipped; a path that
is a variant of the contract's (another case, a trailing slash, an empty or dot segment,
a percent-encoded letter, a ;parameter) is judged as the contract's path, and is a
path-variant violation, as linktoken proxy judges it.

Output (-o): text prints one line per violation ("notice: …" for a notice), as it is
found, then a summary ("N exchanges, N conform, N violations, N notices"); json prints
one JSON document (violations, notices, counts); junit prints a JUnit XML report for CI
systems: one test suite per file, one test case per exchange, failing with a line per
violation, notices in the test case's system-out. No output carries a credential or a link-token.
To keep memory bounded whatever the traffic, json lists the first 1000 violations and
the first 1000 notices, and junit the first 1000 failing and 1000 other exchanges; the
counts cover everything, and the report says how many it leaves out.

Exit status (of the installed binary: go run turns every failure into 1):
  0  every exchange conforms
  1  an exchange breaks the contract
  2  a usage error, or a file that cannot be used (missing, empty, neither HAR nor
     raw HTTP, malformed)
  3  no exchange of the contract was found (a CI job pointed at the wrong archive
     would otherwise pass forever); --allow-empty makes this a success. Or none
     has a response recorded: no answer was checked
  4  none broke the contract, but a request of the contract has no response
     recorded (the proxy's upstream never answered, a browser cancelled it): its
     answer could not be checked; --allow-unanswered makes this (and 3 for a
     recording of such requests only) a success, the summary still counting them.
     Or an exchange's only findings say what could not be judged: a body larger
     than the check reads, one the archive holds in part or not at all (a
     recorder that leaves bodies out), credentials its writer removed`,
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
			o.files = files
			v, err := o.validate()
			if err != nil {
				return err
			}
			return o.run(e, v)
		},
	}
	o.output = addOutputFlag(cmd, "text", "json", "junit")
	cmd.Flags().BoolVar(&o.allowEmpty, "allow-empty", false, "succeed even when no exchange of the contract was found")
	cmd.Flags().BoolVar(&o.allowUnanswered, "allow-unanswered", false, "succeed even when requests of the contract have no response recorded (a browser's cancelled requests)")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "make notices (undeclared response properties and query parameters) violations")
	return cmd
}

// reportListCap is how many findings of each kind check's json and junit
// reports list; the counts cover the rest.
const reportListCap = 1000

// validate builds the validator the options ask for.
func (o *checkOptions) validate() (*contract.Validator, error) {
	var opts []contract.Option
	if o.strict {
		opts = append(opts, contract.Strict())
	}
	return contract.New(opts...)
}

// run checks every file into one report, in file order, and writes it in
// the chosen format: text as findings are made, json and junit at the end,
// from what the report kept (see reportListCap).
func (o *checkOptions) run(e *env, v *contract.Validator) error {
	defer tuneGCForCheck(e.getenv)()
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	var w checkWriter
	switch o.output.format {
	case "json":
		w = newCheckJSON(o.files)
	case "junit":
		w = &checkJUnit{allowUnanswered: o.allowUnanswered}
	default:
		w = &checkText{out: out}
	}
	var rep recorded.Report
	w.attach(&rep)
	inputErr := o.checkFiles(v, &rep, w)
	var unjudged error
	if inputErr == nil {
		unjudged = o.unjudged(&rep)
	}
	if err := w.write(out, &rep, inputErr, unjudged); err != nil && inputErr == nil {
		inputErr = fmt.Errorf("-o %s: %w", o.output, err)
	}
	switch {
	case inputErr != nil:
		// The message names the file and may quote what it holds: escaped,
		// so that it cannot drive the terminal it is printed on.
		return usageError("%s", safetext.Line(inputErr.Error()))
	case rep.Broke() > 0:
		// "broke": the traffic was recorded, and the past needs no
		// agreement with the count ("1 of 2 exchanges broke").
		return apiError(fmt.Errorf("%d of %s broke the contract (%s)", rep.Broke(), plural.Count(rep.Exchanges, "exchange"), plural.Count(rep.Count, "violation")))
	case unjudged != nil:
		return unjudged
	case rep.NotJudged > 0:
		// No verdict, as for a request recorded without its response:
		// what failed is the recording (or the size of a body), and the
		// fix is the recorder's, not the service's.
		return &exitError{code: exitNoAnswer, err: fmt.Errorf("%d of %s could not be judged whole (a body larger than the check reads, "+
			"or one the archive holds in part or not at all, or credentials its writer removed: see the findings marked \"not judged\"); "+
			"nothing judged broke the contract", rep.NotJudged, plural.Count(rep.Exchanges, "exchange"))}
	}
	return nil
}

// unjudged is the failure of a run that could not judge what it was given,
// or nil: no exchange of the contract (exitNothingChecked, unless
// --allow-empty), none with a response recorded (exitNothingChecked), or
// some requests without one (exitNoAnswer, as the proxy that recorded them
// exits), unless --allow-unanswered: a request alone says nothing of what
// the service answers.
func (o *checkOptions) unjudged(rep *recorded.Report) error {
	var code int
	var msg string
	switch {
	case rep.Exchanges == 0 && !o.allowEmpty:
		where := o.files[0]
		if len(o.files) > 1 {
			where = fmt.Sprintf("the %d files", len(o.files))
		}
		code, msg = exitNothingChecked, fmt.Sprintf("no exchange of the link-token contract in %s (%s skipped): "+
			"nothing was checked; is it the right file? --allow-empty accepts this", where, plural.Count(rep.Skipped, "other exchange"))
	case rep.Unanswered == 0 || o.allowUnanswered:
		return nil
	case rep.Unanswered == rep.Exchanges:
		code, msg = exitNothingChecked, fmt.Sprintf("no exchange of the link-token contract has a response recorded (%s without one): "+
			"no response was checked; --allow-unanswered accepts this", plural.Count(rep.Unanswered, "request"))
	default:
		code, msg = exitNoAnswer, fmt.Sprintf("%s of the link-token contract without a response recorded (of %d): "+
			"what the service answered was not checked; --allow-unanswered accepts this", plural.Count(rep.Unanswered, "request"), rep.Exchanges)
	}
	return &exitError{code: code, err: errors.New(safetext.Line(msg))}
}

// checkFiles checks the files in order and stops at the first that cannot
// be used, which it returns.
func (o *checkOptions) checkFiles(v *contract.Validator, rep *recorded.Report, w checkWriter) error {
	for _, f := range o.files {
		err := recorded.CheckFile(v, rep, f)
		var ie *recorded.InputError
		if err != nil && !errors.As(err, &ie) {
			err = fmt.Errorf("%s: %w", f, err)
		}
		w.endFile(f, err)
		if err != nil {
			return err
		}
	}
	return nil
}
