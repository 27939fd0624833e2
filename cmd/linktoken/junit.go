package main

import (
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// The JUnit XML report check and conform write, the format CI systems
// (GitLab, GitHub Actions' report actions, Jenkins) display, built with
// go-junit-report's types: its Testcase holds one <failure>, as the
// schema CI systems read does (Jenkins keeps only the first of several),
// so a case's findings are the lines of that one failure (see
// junitFailure). Both commands write it with writeJUnit, so the two
// reports have one structure and one escaping. The package is imported by
// this command alone, so no importer of the module's packages gets it.

// finding is one thing a case failed on: a violation of check, a failed
// check of conform.
type finding struct {
	message string // short: where, and the rule or check
	kind    string // the contract's rule, or conform's check
	text    string // the whole finding, on one line
}

// junitFailure is the <failure> of a case with findings: its message
// joins theirs, its type their kinds, its text has a line per finding and
// then trailer.
func junitFailure(findings []finding, trailer string) *junit.Result {
	var messages, kinds, texts []string
	for _, f := range findings {
		messages, texts = append(messages, f.message), append(texts, f.text)
		if !slices.Contains(kinds, f.kind) {
			kinds = append(kinds, f.kind)
		}
	}
	return &junit.Result{Message: strings.Join(messages, "; "), Type: strings.Join(kinds, ", "), Data: strings.Join(texts, "\n") + trailer}
}

// junitSeconds is a duration as a suite's time attribute: seconds. The
// attribute is always written, and readers parse it as a number.
func junitSeconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// junitOutput is a <system-out> of text, none when it is empty.
func junitOutput(text string) *junit.Output {
	if text == "" {
		return nil
	}
	return &junit.Output{Data: text}
}

// writeJUnit writes the report. Every text in it is made safe first, here
// and nowhere else: attributes on one line (safetext.Line), element text
// line by line, so no control character, ANSI escape or line separator
// from a recording or a server's answer reaches the reader raw.
func writeJUnit(w io.Writer, r junit.Testsuites) error {
	r.Name = safetext.Line(r.Name)
	for i := range r.Suites {
		s := &r.Suites[i]
		s.Name = safetext.Line(s.Name)
		safeOutput(s.SystemOut)
		for j := range s.Testcases {
			c := &s.Testcases[j]
			c.Classname, c.Name = safetext.Line(c.Classname), safetext.Line(c.Name)
			safeOutput(c.SystemOut)
			for _, res := range []*junit.Result{c.Failure, c.Error, c.Skipped} {
				if res != nil {
					res.Message, res.Type, res.Data = safetext.Line(res.Message), safetext.Line(res.Type), safeLines(res.Data)
				}
			}
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func safeOutput(o *junit.Output) {
	if o != nil {
		o.Data = safeLines(o.Data)
	}
}

// safeLines is safetext.Line for text of several lines: each line escaped,
// the line breaks kept.
func safeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safetext.Line(l)
	}
	return strings.Join(lines, "\n")
}
