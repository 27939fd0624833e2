package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// TestCheckWritesNoTemporaryFile: check's reports are built in memory,
// so a run with no usable temporary directory reports as any other.
func TestCheckWritesNoTemporaryFile(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	file := filepath.Join(fixtures, "violations/createLinkToken/201_response-extra-property_v2.http")
	for _, format := range []string{"json", "junit"} {
		r := runCLI(t, cliOpts{}, "check", "-o", format, file)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("-o %s without a temporary directory: %+v", format, r)
		}
	}
}

// exchanges feeds rep n exchanges: each fails with one violation and one
// notice when failing, else conforms.
func exchanges(rep *recorded.Report, n int, failing bool) {
	for i := 0; i < n; i++ {
		x := recorded.ExchangeResult{Name: "POST /x → 201", Result: contract.Result{Operation: "createLinkToken"}}
		if failing {
			x.Violations = contract.Violations{{Exchange: x.Name, Rule: "type"}}
			x.Notices = contract.Violations{{Exchange: x.Name, Rule: "additionalProperties"}}
		}
		rep.Record(x)
	}
}

// checkJSONDoc is the JSON document check writes for the exchanges record
// feeds its report.
func checkJSONDoc(t *testing.T, record func(*recorded.Report)) (doc struct {
	Violations, Notices                   []json.RawMessage
	ViolationCount, NoticeCount           int
	ViolationsNotListed, NoticesNotListed int
}) {
	t.Helper()
	j := newCheckJSON([]string{"f.http"})
	var rep recorded.Report
	j.attach(&rep)
	record(&rep)
	var b strings.Builder
	w := bufio.NewWriter(&b)
	if err := j.write(w, &rep, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestCheckJSONListsAtMostTheCap: past reportListCap the JSON document
// counts findings instead of listing them, and says how many it left out.
func TestCheckJSONListsAtMostTheCap(t *testing.T) {
	doc := checkJSONDoc(t, func(rep *recorded.Report) { exchanges(rep, reportListCap+7, true) })
	if len(doc.Violations) != reportListCap || len(doc.Notices) != reportListCap || doc.ViolationCount != reportListCap+7 ||
		doc.NoticeCount != reportListCap+7 || doc.ViolationsNotListed != 7 || doc.NoticesNotListed != 7 {
		t.Errorf("listed %d violations and %d notices; counts %+v", len(doc.Violations), len(doc.Notices), doc)
	}
}

// TestCheckJSONCountsNoOmittedEntry: an entry saying what a result left
// out (a list cut at its cap, a big body judged to its first failing value)
// is neither a finding nor one not listed.
func TestCheckJSONCountsNoOmittedEntry(t *testing.T) {
	x := recorded.ExchangeResult{Name: "POST /x → 201", Result: contract.Result{Operation: "createLinkToken", MoreViolations: 5}}
	x.Violations = contract.Violations{{Exchange: x.Name, Rule: "type"}, {Exchange: x.Name, Rule: contract.RuleOmitted, Found: "… and 5 more"}}
	x.Notices = contract.Violations{{Exchange: x.Name, Rule: "additionalProperties"}, {Exchange: x.Name, Rule: contract.RuleOmitted, Found: "listing stopped at the first"}}
	doc := checkJSONDoc(t, func(rep *recorded.Report) { rep.Record(x) })
	if doc.ViolationCount != 6 || doc.ViolationsNotListed != 5 || doc.NoticeCount != 1 || doc.NoticesNotListed != 0 {
		t.Errorf("%+v; want 6 violations, 5 not listed, 1 notice, listed", doc)
	}
}

// TestCheckJUnitListsAtMostTheCap: past reportListCap conforming cases,
// failing ones are still listed; the suite counts every exchange and says
// how many cases it left out.
func TestCheckJUnitListsAtMostTheCap(t *testing.T) {
	j := &checkJUnit{}
	var rep recorded.Report
	j.attach(&rep)
	exchanges(&rep, reportListCap+5, false)
	exchanges(&rep, 3, true)
	j.endFile("f.http", nil)
	if len(rep.Violations) != 0 || len(rep.Notices) != 0 {
		t.Error("the contract report keeps the findings the test cases carry")
	}
	var b strings.Builder
	if err := writeJUnit(&b, j.doc); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil || len(doc.Suites) != 1 {
		t.Fatalf("%v\n%s", err, b.String())
	}
	s := doc.Suites[0]
	if s.Tests != reportListCap+8 || s.Failures != 3 || len(s.Cases) != reportListCap+3 || len(s.Cases[len(s.Cases)-1].Failures) != 1 {
		t.Errorf("tests %d, failures %d, %d cases listed", s.Tests, s.Failures, len(s.Cases))
	}
	if want := "5 of " + strconv.Itoa(reportListCap+8) + " test cases not listed"; !strings.Contains(b.String(), want) {
		t.Errorf("the suite does not say %q", want)
	}
}

// TestCheckJUnitSaysOneInTheSingular: the counts a JUnit report prints
// say "1 more violation" and "1 of 1 test case", never "1 … cases".
func TestCheckJUnitSaysOneInTheSingular(t *testing.T) {
	j := &checkJUnit{}
	var rep recorded.Report
	j.attach(&rep)
	x := recorded.ExchangeResult{Name: "POST /x → 201", Result: contract.Result{Operation: "createLinkToken", MoreViolations: 1, MoreNotices: 1}}
	x.Violations = contract.Violations{{Exchange: x.Name, Rule: "type"}}
	rep.Record(x)
	exchanges(&rep, reportListCap, false)
	j.endFile("a.http", nil)
	exchanges(&rep, 1, false) // past the cap: counted, not listed
	j.endFile("b.http", nil)
	var b strings.Builder
	if err := writeJUnit(&b, j.doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 more violation not listed\n", "1 more notice not listed\n", "[1 of 1 test case not listed: "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}

// TestCheckJUnitEscapesThePointer: a member name with an ANSI escape, a
// line separator and a line break in it reaches a failure's message and
// text escaped, as the text output prints it.
func TestCheckJUnitEscapesThePointer(t *testing.T) {
	j := &checkJUnit{}
	var rep recorded.Report
	j.attach(&rep)
	x := recorded.ExchangeResult{Name: "POST /x → 201", Result: contract.Result{Operation: "createLinkToken"}}
	x.Violations = contract.Violations{{Exchange: x.Name, Side: contract.SideResponse, Part: contract.PartBody,
		Pointer: "/a\x1b[31m\u2028\nb", Rule: contract.RuleAdditionalProps, Expected: "no such property", Found: "one"}}
	rep.Record(x)
	j.endFile("f.http", nil)
	var b strings.Builder
	if err := writeJUnit(&b, j.doc); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 || len(doc.Suites[0].Cases[0].Failures) != 1 {
		t.Fatalf("%v\n%s", err, b.String())
	}
	const where = `response body /a\x1b[31m\u2028\nb: additionalProperties`
	f := doc.Suites[0].Cases[0].Failures[0]
	if f.Message != where || f.Text != "POST /x → 201: "+where+": expected no such property, found one" {
		t.Errorf("failure %+v, want the message %q", f, where)
	}
}
