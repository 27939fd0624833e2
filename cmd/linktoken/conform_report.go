package main

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"

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
// a failure per failed check, observations in system-out.
func conformJUnit(rep *conform.Report) junitReport {
	s := junitSuite{Name: "linktoken conform"}
	for _, o := range rep.Outcomes {
		tc := junitCase{ClassName: string(o.Kind), Name: o.Case}
		for _, f := range o.Failures {
			tc.Failures = append(tc.Failures, junitFailure{Message: f.Check + ": " + f.Detail, Type: f.Check,
				Text: f.Detail + "\nrequest: " + o.Request + "\nreplay: " + o.Replay})
		}
		if o.Err != "" {
			tc.Error = &junitFailure{Message: o.Err, Type: "error", Text: o.Err}
		}
		if o.Observation != "" {
			tc.SystemOut = "observed: " + o.Observation + "\nrequest: " + o.Request
		}
		s.add(tc)
	}
	// What the run itself could not do is an error CI shows: what it left
	// behind, a run that stopped early, a run with no check.
	runError := func(class, name, msg string) {
		s.add(junitCase{ClassName: class, Name: name, Error: &junitFailure{Message: msg, Type: "error", Text: msg}})
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
	return junitReport{Name: "linktoken conform", Suites: []junitSuite{s}}
}
