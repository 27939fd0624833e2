package main

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// TestJUnitReportsShareOneStructure: check's and conform's JUnit reports
// parse as XML into the same structure, with counts that agree with the
// test cases they list.
func TestJUnitReportsShareOneStructure(t *testing.T) {
	raw := writeFile(t, t.TempDir(), "create.http", junitCreate())
	srv := testatlas.NewServer(t)
	for name, r := range map[string]cliResult{
		"check":   runCLI(t, cliOpts{}, "check", "-o", "junit", raw),
		"conform": runCLI(t, cliOpts{env: conformEnv(srv)}, "conform", "--base-url", srv.URL(), "--force", "-o", "junit", "--max-requests", "20"),
	} {
		if !strings.HasPrefix(r.stdout, xml.Header+`<testsuites name="linktoken `+name+`">`) {
			t.Errorf("%s: the report does not start as the other's:\n%.200s", name, r.stdout)
		}
		var doc junitDoc
		if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Suites) != 1 {
			t.Fatalf("%s: %v\n%s", name, err, r.stdout)
		}
		s := doc.Suites[0]
		if _, err := strconv.ParseFloat(s.Time, 64); err != nil {
			t.Errorf("%s: the suite's time %q is not a number of seconds", name, s.Time)
		}
		var failures, errors, skipped int
		for _, c := range s.Cases {
			if len(c.Failures) > 0 {
				failures++
			}
			if c.Error != nil {
				errors++
			}
			if c.Skipped != nil {
				skipped++
			}
		}
		if s.Tests == 0 || s.Tests != len(s.Cases) || s.Failures != failures || s.Errors != errors || s.Skipped != skipped {
			t.Errorf("%s: suite counts %d tests, %d failures, %d errors, %d skipped; its cases %d, %d, %d, %d",
				name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), failures, errors, skipped)
		}
	}
}

// TestJUnitEscapesControlCharacters: whatever a recording or a server's
// answer holds, the report carries no control character, ANSI escape or
// line separator raw, in attributes or text, and still parses.
func TestJUnitEscapesControlCharacters(t *testing.T) {
	const hostile = "a\x1b[31m\u2028b\u2029\x00\rc"
	s := junit.Testsuite{Name: hostile, SystemOut: junitOutput(hostile)}
	s.AddTestcase(junit.Testcase{Classname: hostile, Name: hostile, SystemOut: junitOutput(hostile + "\n" + hostile),
		Failure: junitFailure([]finding{{message: hostile, kind: hostile, text: hostile}}, "\n"+hostile)})
	s.AddTestcase(junit.Testcase{Name: "x", Error: &junit.Result{Message: hostile, Data: hostile}, Skipped: &junit.Result{Message: hostile}})
	var b strings.Builder
	if err := writeJUnit(&b, junit.Testsuites{Name: hostile, Suites: []junit.Testsuite{s}}); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"\x1b", "\u2028", "\u2029", "\x00", "\r", "\uFFFD"} {
		if strings.Contains(b.String(), raw) {
			t.Errorf("the report carries %q raw:\n%s", raw, b.String())
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Suites[0].Cases[0].Failures[0].Text; got != `a\x1b[31m\u2028b\u2029\x00\rc`+"\n"+`a\x1b[31m\u2028b\u2029\x00\rc` {
		t.Errorf("failure text %q: want each line escaped, the line break kept", got)
	}
}
