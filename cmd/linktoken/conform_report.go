package main

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/seed-5c49e0d7/linktoken/internal/conform"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// How a conform run is reported: text lines, JUnit, and the exit code.

// conformExit maps a run to the exit code its verdict has.
func conformExit(rep *conform.Report, runErr error) error {
	var code int
	switch rep.Verdict {
	case conform.VerdictPass:
		code = exitOK
	case conform.VerdictFailed:
		code = exitAPI
	case conform.VerdictNoAnswer, conform.VerdictNotJudged:
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

// writeConformSummary is the text report's end: notes, removals that
// failed, the summary and the cleanup line.
func writeConformSummary(out *bufio.Writer, rep *conform.Report) {
	for _, n := range rep.Notes {
		fmt.Fprintf(out, "NOTE %s\n", safetext.Line(n))
	}
	for _, rm := range rep.Removals {
		if !rm.Removed && !rm.Allowed {
			fmt.Fprintf(out, "LEFT %s: %s\n", safetext.Line(rm.Created), safetext.Line(rm.Detail))
		}
	}
	fmt.Fprintln(out, rep.Summary())
	if rep.Cleanup != "" {
		fmt.Fprintln(out, rep.Cleanup)
	}
}

// writeOutcome prints a failed check, an error, or an observation; what
// the server said is escaped (safetext.Line), so it stays on its line and
// cannot drive the terminal.
func writeOutcome(out *bufio.Writer, o conform.Outcome) {
	for _, f := range o.Failures {
		fmt.Fprintf(out, "FAIL %s: %s: %s\n  request: %s\n  replay:  %s\n", f.Check, o.Case, safetext.Line(f.Detail), safetext.Line(o.Request), safetext.Line(o.Replay))
	}
	if o.Err != "" {
		fmt.Fprintf(out, "ERROR %s: %s\n", o.Case, safetext.Line(o.Err))
	}
	if o.Observation != "" {
		fmt.Fprintf(out, "OBSERVED %s: %s\n", o.Case, safetext.Line(o.Observation))
	}
}

// conformJUnit is the report as one JUnit suite: a test case per request,
// failing with its failed checks (one line each), observations in
// system-out.
func conformJUnit(rep *conform.Report, took time.Duration) junit.Testsuites {
	s := junit.Testsuite{Name: "linktoken conform", Time: junitSeconds(took)}
	for _, o := range rep.Outcomes {
		tc := junit.Testcase{Classname: string(o.Kind), Name: o.Case}
		if len(o.Failures) > 0 {
			var fs []finding
			for _, f := range o.Failures {
				fs = append(fs, finding{message: f.Check + ": " + f.Detail, kind: f.Check, text: f.Check + ": " + f.Detail})
			}
			tc.Failure = junitFailure(fs, "\nrequest: "+o.Request+"\nreplay: "+o.Replay)
		}
		if o.Err != "" {
			tc.Error = &junit.Result{Message: o.Err, Type: "error", Data: o.Err}
		}
		if o.Observation != "" {
			tc.SystemOut = junitOutput("observed: " + o.Observation + "\nrequest: " + o.Request)
		}
		s.AddTestcase(tc)
	}
	// What the run itself could not do is an error CI shows: what it left
	// behind, a run that stopped early, a run with no check.
	runError := func(class, name, msg string) {
		s.AddTestcase(junit.Testcase{Classname: class, Name: name, Error: &junit.Result{Message: msg, Type: "error", Data: msg}})
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
	s.SystemOut = junitOutput(strings.Join(append(slices.Clone(rep.Notes), rep.Summary(), rep.Cleanup), "\n"))
	return junit.Testsuites{Name: "linktoken conform", Suites: []junit.Testsuite{s}}
}
