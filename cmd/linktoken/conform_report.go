package main

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/conform"
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
