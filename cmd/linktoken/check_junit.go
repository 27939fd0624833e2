package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// junitReport writes check's result as JUnit XML, the report format CI
// systems (GitLab, GitHub Actions' report actions, Jenkins) display: one
// <testsuite> per file, one <testcase> per exchange, one <failure> per
// violation, its notices in <system-out>, a <skipped/> for an exchange that
// is not an operation of the contract, and an <error> for a file that could
// not be used.
//
// A suite's counts come first in its start tag but are known only after its
// last exchange, so test cases are spooled to a temporary file and copied
// after the tag: memory stays bounded whatever the archive's size. Nothing
// secret reaches the report: names and violations never copy a credential
// or a link-token (package contract's guarantee), and nothing else is written.
type junitReport struct {
	out   *bufio.Writer
	spool *os.File
	enc   *xml.Encoder // into spool

	tests, failures, skipped int   // of the current file
	err                      error // the first write to the spool that failed
}

func newJUnitReport(out *bufio.Writer) (*junitReport, error) {
	spool, err := os.CreateTemp("", "linktoken-junit-*.xml")
	if err != nil {
		return nil, fmt.Errorf("-o junit: %w", err)
	}
	j := &junitReport{out: out, spool: spool, enc: xml.NewEncoder(spool)}
	out.WriteString(xml.Header)
	out.WriteString(`<testsuites name="linktoken check">` + "\n")
	return j, nil
}

type junitCase struct {
	XMLName   xml.Name       `xml:"testcase"`
	ClassName string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Failures  []junitFailure `xml:"failure"`
	Skipped   *junitMessage  `xml:"skipped"`
	Error     *junitFailure  `xml:"error"`
	// SystemOut holds the exchange's notices, one a line: findings that do
	// not fail it (check --strict makes them failures).
	SystemOut string `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

// exchange is Report.OnExchange: one test case.
func (j *junitReport) exchange(x contract.ExchangeResult) {
	tc := junitCase{ClassName: x.Operation, Name: safetext.Line(x.Name)}
	j.tests++
	switch {
	case x.Skipped:
		tc.ClassName = "skipped"
		tc.Skipped = &junitMessage{Message: "not an operation of the link-token contract"}
		j.skipped++
	case len(x.Violations) > 0:
		j.failures++
		for _, v := range x.Violations {
			where := string(v.Side) + " " + string(v.Part)
			if v.Pointer != "" {
				where += " " + v.Pointer
			}
			tc.Failures = append(tc.Failures, junitFailure{Message: safetext.Line(where) + ": " + v.Rule, Type: v.Rule, Text: v.Error()})
		}
	}
	for _, n := range x.Notices {
		tc.SystemOut += "notice: " + n.Error() + "\n"
	}
	j.writeCase(tc)
}

// inputError records a file that could not be used as an erroring test case.
func (j *junitReport) inputError(file string, err error) {
	j.tests++
	j.writeCase(junitCase{ClassName: "input", Name: safetext.Line(file), Error: &junitFailure{Message: "the file cannot be used", Type: "input", Text: safetext.Line(err.Error())}})
}

func (j *junitReport) writeCase(tc junitCase) {
	if j.err != nil {
		return
	}
	if _, j.err = j.spool.WriteString("    "); j.err != nil {
		return
	}
	if j.err = j.enc.Encode(tc); j.err != nil { // Encode flushes
		return
	}
	_, j.err = j.spool.WriteString("\n")
}

// endFile writes the file's suite: its start tag with the counts, the
// spooled test cases, its end tag; and empties the spool for the next file.
func (j *junitReport) endFile(file string, inputErr error) error {
	if j.err != nil {
		return fmt.Errorf("-o junit: %w", j.err)
	}
	errors := 0
	if inputErr != nil {
		errors = 1
	}
	counts := fmt.Sprintf(` tests="%d" failures="%d" errors="%d" skipped="%d"`, j.tests, j.failures, errors, j.skipped)
	j.out.WriteString(`  <testsuite name="` + escapeXMLAttr(file) + `"` + counts + ">\n")
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("-o junit: %w", err)
	}
	if _, err := io.Copy(j.out, j.spool); err != nil {
		return fmt.Errorf("-o junit: %w", err)
	}
	j.out.WriteString("  </testsuite>\n")
	if err := j.spool.Truncate(0); err != nil {
		return fmt.Errorf("-o junit: %w", err)
	}
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("-o junit: %w", err)
	}
	j.tests, j.failures, j.skipped = 0, 0, 0
	return nil
}

// close ends the document and removes the spool.
func (j *junitReport) close() {
	j.out.WriteString("</testsuites>\n")
	j.spool.Close()
	os.Remove(j.spool.Name())
}

// escapeXMLAttr escapes s for a double-quoted attribute (quotes, line
// breaks and characters XML cannot hold included), after safetext.Line.
func escapeXMLAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(safetext.Line(s)))
	return b.String()
}
