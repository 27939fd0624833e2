package main

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// The JUnit XML report check and conform write, the format CI systems
// (GitLab, GitHub Actions' report actions, Jenkins) display. Both commands
// build it as a value and write it with writeJUnit, so the two reports have
// one structure and one escaping.

// junitReport is the document: <testsuites> of <testsuite>s.
type junitReport struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

// junitSuite is one file of check, or conform's run. Its counts cover
// every test case added, listed or not.
type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
	// SystemOut is what the suite says beside its cases: conform's summary,
	// check's count of cases not listed.
	SystemOut string `xml:"system-out,omitempty"`
}

// junitCase is one exchange of check, one request of conform, or one
// thing a run could not do (a file it could not read, what it left behind).
type junitCase struct {
	ClassName string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Failures  []junitFailure `xml:"failure"`
	Error     *junitFailure  `xml:"error"`
	Skipped   *junitSkipped  `xml:"skipped"`
	// SystemOut holds findings that do not fail the case: check's notices,
	// conform's observations.
	SystemOut string `xml:"system-out,omitempty"`
}

// junitFailure is a <failure> or an <error>.
type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// failed reports whether the case counts as a failure.
func (c *junitCase) failed() bool { return len(c.Failures) > 0 }

// count adds c to the suite's counts without listing it.
func (s *junitSuite) count(c *junitCase) {
	s.Tests++
	switch {
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	if c.failed() {
		s.Failures++
	}
}

// add counts c and lists it.
func (s *junitSuite) add(c junitCase) {
	s.count(&c)
	s.Cases = append(s.Cases, c)
}

// writeJUnit writes the report. Every text in it is made safe first, here
// and nowhere else: attributes on one line (safetext.Line), element text
// line by line, so no control character, ANSI escape or line separator
// from a recording or a server's answer reaches the reader raw.
func writeJUnit(w io.Writer, r junitReport) error {
	r.Name = safetext.Line(r.Name)
	for i := range r.Suites {
		s := &r.Suites[i]
		s.Name, s.SystemOut = safetext.Line(s.Name), safeLines(s.SystemOut)
		for j := range s.Cases {
			c := &s.Cases[j]
			c.ClassName, c.Name, c.SystemOut = safetext.Line(c.ClassName), safetext.Line(c.Name), safeLines(c.SystemOut)
			for k := range c.Failures {
				c.Failures[k].safe()
			}
			if c.Error != nil {
				c.Error.safe()
			}
			if c.Skipped != nil {
				c.Skipped.Message = safetext.Line(c.Skipped.Message)
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

func (f *junitFailure) safe() {
	f.Message, f.Type, f.Text = safetext.Line(f.Message), safetext.Line(f.Type), safeLines(f.Text)
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
